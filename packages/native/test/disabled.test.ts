import { getCapability, initBackend, tf } from '@trl/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, nativeKernelStatus, registerNativeKernels } from '../src/index';

describe('TRL_NATIVE_DISABLE=1 (the addon treated as absent)', () => {
  const previous = process.env.TRL_NATIVE_DISABLE;
  afterAll(() => {
    if (previous === undefined) delete process.env.TRL_NATIVE_DISABLE;
    else process.env.TRL_NATIVE_DISABLE = previous;
  });

  it('loads nothing, registers nothing, and leaves the stock kernel working', async () => {
    process.env.TRL_NATIVE_DISABLE = '1';
    await initBackend('wasm');
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    expect(loadNativeKernels()).toBe(false);
    expect(registerNativeKernels()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
    const status = nativeKernelStatus();
    expect(status.loaded).toBe(false);
    expect(status.registered).toEqual([]);
    expect(status.reason).toMatch(/TRL_NATIVE_DISABLE=1/);
    expect(getCapability('transposedMatMul')).toBeUndefined();
    expect(getCapability('fusedAdamW')).toBeUndefined();
    const product = tf.tidy(() =>
      tf
        .matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]), false, true)
        .arraySync(),
    );
    expect(product).toEqual([
      [17, 23],
      [39, 53],
    ]);
  });

  it('rejects invalid options with an Error naming the field', () => {
    expect(() => registerNativeKernels({ threads: 3 as 2 })).toThrow(/threads/);
    expect(() => registerNativeKernels({ minRows: -1 })).toThrow(/minRows/);
  });
});
