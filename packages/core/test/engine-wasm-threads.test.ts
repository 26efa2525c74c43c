import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/index';
import { causalAttention } from '../src/ops/causal-attention';
import { geluNew } from '../src/ops/gelu-new';
import { layerNorm } from '../src/ops/layer-norm';
import { linear } from '../src/ops/linear';

const BATCH = 2;
const SEQ = 64;
const WIDTH = 128;
const HEADS = 4;

/** Seeded weights and input of one GPT-2 block, as plain arrays so they can be rebuilt on any backend. */
function blockData(): Record<string, { shape: number[]; values: Float32Array }> {
  const shapes: Record<string, number[]> = {
    x: [BATCH, SEQ, WIDTH],
    attn: [WIDTH, 3 * WIDTH],
    proj: [WIDTH, WIDTH],
    fc: [WIDTH, 4 * WIDTH],
    out: [4 * WIDTH, WIDTH],
  };
  return Object.fromEntries(
    Object.entries(shapes).map(([name, shape], seed) => {
      const t = tf.randomNormal(shape, 0, 0.2, 'float32', seed + 1);
      const values = t.dataSync() as Float32Array;
      t.dispose();
      return [name, { shape, values }];
    }),
  );
}

/** A pre-norm GPT-2 block (attention + MLP) forward, the kernels a GPT-2 forward spends its time in. */
function blockForward(data: ReturnType<typeof blockData>): Float32Array {
  return tf.tidy(() => {
    const w = (name: string) => tf.tensor(data[name]!.values, data[name]!.shape);
    const gamma = tf.ones([WIDTH]) as tf.Tensor1D;
    const beta = tf.zeros([WIDTH]) as tf.Tensor1D;
    const x = w('x');
    const heads = (t: tf.Tensor) =>
      tf.transpose(tf.reshape(t, [BATCH, SEQ, HEADS, WIDTH / HEADS]), [0, 2, 1, 3]) as tf.Tensor4D;
    const [q, k, v] = tf.split(linear(layerNorm(x, gamma, beta), w('attn') as tf.Tensor2D), 3, -1);
    const attended = tf.reshape(
      tf.transpose(causalAttention(heads(q!), heads(k!), heads(v!)), [0, 2, 1, 3]),
      [BATCH, SEQ, WIDTH],
    );
    const h = tf.add(x, linear(attended, w('proj') as tf.Tensor2D));
    const mlp = linear(
      geluNew(linear(layerNorm(h, gamma, beta), w('fc') as tf.Tensor2D)),
      w('out') as tf.Tensor2D,
    );
    return tf.add(h, mlp).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("initBackend('wasm', { threads })", () => {
  it('runs a GPT-2 block forward on 2 threads matching the single-threaded build', async () => {
    const single = await initBackend('wasm');
    expect(single.threads).toBe(1);
    const data = blockData();
    const reference = blockForward(data);
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor(data.fc!.values, [WIDTH, 4 * WIDTH]), tf.ones([4 * WIDTH, 8])).dataSync(),
    );

    const threaded = await initBackend('wasm', { threads: 2 });
    expect(threaded).toEqual({ name: 'wasm', tfBackend: 'wasm', simd: true, threads: 2 });
    const out = blockForward(data);
    expect(out.every(Number.isFinite)).toBe(true);
    // XNNPACK splits the work by output tiles, so each element is summed in the same order.
    expect(maxAbsDiff(out, reference)).toBeLessThanOrEqual(1e-5);
    const threadedProduct = tf.tidy(() =>
      tf.matMul(tf.tensor(data.fc!.values, [WIDTH, 4 * WIDTH]), tf.ones([4 * WIDTH, 8])).dataSync(),
    );
    expect(maxAbsDiff(threadedProduct as Float32Array, product as Float32Array)).toBeLessThanOrEqual(1e-5);
  });

  it('keeps the threaded backend for later calls without options, and does not leak tensors', async () => {
    expect((await initBackend('wasm')).threads).toBe(2);
    expect((await initBackend('auto')).threads).toBe(2);
    const data = blockData();
    blockForward(data);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) blockForward(data);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('switches back to the single-threaded build once no tensors are held', async () => {
    const info = await initBackend('wasm', { threads: 1 });
    expect(info.threads).toBe(1);
    expect(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(2)).dataSync())).toEqual(new Float32Array([4]));
    expect(tf.memory().numTensors).toBe(0);
  });

  it('refuses to change the thread count while the wasm backend holds tensors', async () => {
    await initBackend('wasm', { threads: 1 });
    const held = tf.scalar(1);
    await expect(initBackend('wasm', { threads: 2 })).rejects.toThrow(
      /cannot change the wasm backend from 1 to 2 thread\(s\) while it holds \d+ tensor\(s\).*Dispose them first/s,
    );
    expect(tf.getBackend()).toBe('wasm');
    expect(held.dataSync()[0]).toBe(1);
    held.dispose();
  });

  it('rejects a bad thread count, naming the option and the valid range', async () => {
    for (const threads of [0, 2.5, 9, Number.NaN]) {
      await expect(initBackend('wasm', { threads })).rejects.toThrow(
        /invalid options:[\s\S]*threads[\s\S]*from 1 to 8/,
      );
    }
    await expect(initBackend('wasm', { thread: 2 } as never)).rejects.toThrow(/thread/);
  });

  it('leaves the other backends alone', async () => {
    const info = await initBackend('cpu', { threads: 2 });
    expect(info).toEqual({ name: 'cpu', tfBackend: 'cpu', simd: false, threads: 1 });
  });
});
