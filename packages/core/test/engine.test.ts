import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_PREFERENCES,
  type BackendPreference,
  getBackendInfo,
  initBackend,
} from '../src/engine/index';
import { isResolvable } from '../src/engine/module-require';
import { wasmBinaryDirectory } from '../src/engine/wasm-binaries';

async function twoPlusTwo(): Promise<number> {
  const sum = tf.add(tf.scalar(2), tf.scalar(2));
  const [value] = await sum.data();
  sum.dispose();
  return value!;
}

describe('initBackend', () => {
  it('selects wasm with SIMD from the binaries in node_modules and computes 2 + 2', async () => {
    const info = await initBackend('wasm');
    expect(info).toEqual({ name: 'wasm', tfBackend: 'wasm', simd: true, threads: 1 });
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmBinaryDirectory()).toMatch(/tfjs-backend-wasm[\\/]dist$/);
    expect(await twoPlusTwo()).toBe(4);
  });

  it('selects cpu and computes 2 + 2', async () => {
    const info = await initBackend('cpu');
    expect(info).toEqual({ name: 'cpu', tfBackend: 'cpu', simd: false, threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(await twoPlusTwo()).toBe(4);
  });

  it('is idempotent: a second call returns the same info object', async () => {
    const first = await initBackend('wasm');
    const second = await initBackend('wasm');
    expect(second).toBe(first);
    expect(getBackendInfo()).toBe(first);
  });

  it("keeps an explicitly chosen backend when later asked for 'auto'", async () => {
    await initBackend('cpu');
    expect((await initBackend('auto')).name).toBe('cpu');
    await initBackend('wasm');
  });

  it('serialises concurrent calls so the last requested backend wins', async () => {
    const [a, b] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
    expect(a.name).toBe('cpu');
    expect(b.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reports no info once tfjs has been switched behind its back', async () => {
    await initBackend('wasm');
    await tf.setBackend('cpu');
    expect(getBackendInfo()).toBeUndefined();
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  it('rejects an unknown backend name, listing the valid ones', async () => {
    await expect(initBackend('webgpu' as BackendPreference)).rejects.toThrow(
      /unknown backend 'webgpu'; expected one of 'auto', 'node-gpu', 'node', 'wasm', 'cpu'/,
    );
    await expect(initBackend('webgpu' as BackendPreference)).rejects.toMatchObject({
      name: 'TrlError',
      code: 'invalid-argument',
    });
    expect(BACKEND_PREFERENCES).toContain('auto');
  });

  for (const [name, pkg] of [
    ['node', '@tensorflow/tfjs-node'],
    ['node-gpu', '@tensorflow/tfjs-node-gpu'],
  ] as const) {
    it(`'${name}' either loads ${pkg} or explains how to install it`, async () => {
      if (isResolvable(pkg)) {
        expect((await initBackend(name)).tfBackend).toBe('tensorflow');
        await initBackend('wasm');
      } else {
        await expect(initBackend(name)).rejects.toThrow(`npm install ${pkg}@4.22.0`);
        expect(getBackendInfo()?.name).toBe('wasm');
      }
    });
  }

  it("'auto' picks the fastest installed backend (wasm when no native binding is installed)", async () => {
    await tf.setBackend('cpu'); // forget the earlier explicit choice
    const info = await initBackend('auto');
    const expected = isResolvable('@tensorflow/tfjs-node-gpu')
      ? 'node-gpu'
      : isResolvable('@tensorflow/tfjs-node')
        ? 'node'
        : 'wasm';
    expect(info.name).toBe(expected);
    expect(await twoPlusTwo()).toBe(4);
  });
});
