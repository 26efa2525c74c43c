import { readFileSync } from 'node:fs';
import type { tf } from '@trl/core';
import { expect } from 'vitest';

/** TRL v0.7.4's PPO math on B = 3 rows, T = 9 steps, V = 7 tokens (float64 references). */
export interface RlMathFixture {
  config: { kl_coef: number; gamma: number; lam: number };
  inputs: {
    mask: number[][];
    labels: number[][];
    logits_old: number[][][];
    logits_ref: number[][][];
    values: number[][];
    scores: number[];
  };
  expected: {
    logprobs: number[][];
    ref_logprobs: number[][];
    kl_full: number[][];
    rewards: number[][];
    non_score_rewards: number[][];
    advantages: number[][];
    returns: number[][];
    advantages_whiten_rewards: number[][];
    returns_whiten_rewards: number[][];
  };
}

/** Reads the fixture (a copy of /work/shared/fixtures/rl-math/ppo-math-trl074.json). */
export function loadFixture(): RlMathFixture {
  return JSON.parse(readFileSync(new URL('../fixtures/ppo-math-trl074.json', import.meta.url), 'utf8'));
}

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
