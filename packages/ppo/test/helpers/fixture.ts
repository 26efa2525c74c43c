import type { tf } from '@trl/core';
import { expect } from 'vitest';

/** TRL v0.7.4's PPO math on B = 3 rows, T = 9 steps, V = 7 tokens (float64 references), from the kit. */
export { loadRlMathFixture as loadFixture } from '@trl/test-kit/rl-math';

/** Every element within max(rel * |expected|, abs) of the reference. */
export function expectClose(
  label: string,
  actual: tf.Tensor | ArrayLike<number>,
  expected: readonly number[] | readonly (readonly number[])[],
  rel = 1e-4,
  abs = 1e-5,
): void {
  const got = Array.from('dataSync' in actual ? actual.dataSync() : actual);
  const want = (expected as number[]).flat() as number[];
  expect(got.length, `${label}: size`).toBe(want.length);
  want.forEach((value, index) => {
    const bound = Math.max(rel * Math.abs(value), abs);
    expect(
      Math.abs((got[index] as number) - value),
      `${label}[${index}]: got ${got[index]}, want ${value}`,
    ).toBeLessThanOrEqual(bound);
  });
}
