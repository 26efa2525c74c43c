import { getCapability, initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeKernelStatus, registerNativeKernels, unregisterNativeKernels } from '../src/index';
import { runOn } from './helpers/backends';
import { maxRelativeError, randomFloats } from './helpers/reference';

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

const size = (shape: number[]) => shape.reduce((acc, d) => acc * d, 1);

function inputsFor(c: MatMulCase, seed: number) {
  return [
    { values: randomFloats(size(c.a), seed), shape: c.a },
    { values: randomFloats(size(c.b), seed + 1), shape: c.b },
  ];
}

const matMul = (c: MatMulCase) => (t: tf.Tensor[]) =>
  tf.matMul(t[0] as tf.Tensor, t[1] as tf.Tensor, c.transposeA ?? false, c.transposeB ?? false);

/** Shapes the stock kernel handles correctly, so all three engines must agree. */
const CASES: MatMulCase[] = [
  { a: [37, 19], b: [19, 23] },
  { a: [19, 37], b: [19, 23], transposeA: true },
  { a: [37, 19], b: [23, 19], transposeB: true },
  { a: [19, 37], b: [23, 19], transposeA: true, transposeB: true },
  { a: [1, 64], b: [50, 64], transposeB: true },
  { a: [40, 1], b: [1, 30] },
  { a: [3, 17, 9], b: [3, 9, 21] },
  { a: [3, 9, 17], b: [3, 21, 9], transposeA: true, transposeB: true },
  { a: [2, 3, 8, 5], b: [2, 3, 5, 7] },
  { a: [2, 3, 20, 16], b: [2, 3, 20, 16], transposeB: true },
  { a: [4, 33, 20], b: [20, 18] },
  { a: [4, 20, 33], b: [20, 18], transposeA: true },
  { a: [17, 20], b: [3, 20, 11] },
  { a: [130, 260], b: [260, 300] },
  { a: [300, 70], b: [90, 300], transposeA: true, transposeB: true },
  // Plain 2-D and skinny: stays on the stock kernel (XNNPACK).
  { a: [5, 7], b: [7, 3] },
];

describe('native BatchMatMul in the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    expect(registerNativeKernels()).toBe(true);
  });

  it('claims fast transposed products on wasm while registered', () => {
    const claimed = (backend: string) => getCapability('transposedMatMul')?.supportsBackend(backend) === true;
    expect(claimed('wasm')).toBe(true);
    expect(claimed('cpu')).toBe(false);
    unregisterNativeKernels();
    expect(claimed('wasm')).toBe(false);
    expect(registerNativeKernels()).toBe(true);
    expect(claimed('wasm')).toBe(true);
  });

  it('agrees with the stock wasm kernel and the cpu backend', async () => {
    for (const [index, c] of CASES.entries()) {
      const inputs = inputsFor(c, 10 * index);
      const before = nativeKernelStatus().calls;
      const native = await runOn('native', inputs, matMul(c));
      const after = nativeKernelStatus().calls;
      const stock = await runOn('stock', inputs, matMul(c));
      const cpu = await runOn('cpu', inputs, matMul(c));
      const label = JSON.stringify(c);
      expect(native.shape, label).toEqual(stock.shape);
      expect(native.shape, label).toEqual(cpu.shape);
      expect(maxRelativeError(native.values, cpu.values), label).toBeLessThan(2e-5);
      expect(maxRelativeError(native.values, stock.values), label).toBeLessThan(2e-5);
      const skinny =
        c.a.length === 2 && c.b.length === 2 && !c.transposeA && !c.transposeB && (c.a[0] ?? 0) < 16;
      expect(after.native - before.native, label).toBe(skinny ? 0 : 1);
      expect(after.stock - before.stock, label).toBe(skinny ? 1 : 0);
    }
  });

  it('broadcasts batch dims on both sides and handles K = 0, where the stock kernels are wrong', async () => {
    // Expected values come from operands explicitly broadcast to the full batch shape first:
    // the stock wasm and cpu kernels both mis-index two-sided broadcasts.
    const cases: Array<MatMulCase & { batch: number[] }> = [
      { a: [2, 1, 4, 5], b: [1, 3, 5, 6], batch: [2, 3] },
      { a: [3, 1, 4, 6], b: [2, 4, 5], transposeA: true, batch: [3, 2] },
      { a: [20, 0], b: [0, 18], batch: [] },
      { a: [3, 0], b: [0, 4], batch: [] },
      { a: [2, 20, 0], b: [2, 0, 18], batch: [2] },
    ];
    for (const [index, c] of cases.entries()) {
      const inputs = inputsFor(c, 500 + index);
      const native = await runOn('native', inputs, matMul(c));
      const expanded = (t: tf.Tensor[]) => {
        const [a, b] = t as [tf.Tensor, tf.Tensor];
        return matMul(c)([
          tf.broadcastTo(a, [...c.batch, ...a.shape.slice(-2)]),
          tf.broadcastTo(b, [...c.batch, ...b.shape.slice(-2)]),
        ]);
      };
      const cpu = await runOn('cpu', inputs, expanded);
      expect(native.shape, JSON.stringify(c)).toEqual(cpu.shape);
      expect(maxRelativeError(native.values, cpu.values), JSON.stringify(c)).toBeLessThan(2e-5);
      if (c.a.includes(0)) expect(Array.from(native.values).every((v) => v === 0)).toBe(true);
    }
  });

  it('agrees with the stock kernel on the portable micro-kernel too', async () => {
    expect(registerNativeKernels({ microKernel: 'portable', threads: 1 })).toBe(true);
    expect(nativeKernelStatus().microKernel).toBe('portable-6x16');
    try {
      const c: MatMulCase = { a: [2, 45, 70], b: [2, 33, 70], transposeB: true };
      const inputs = inputsFor(c, 900);
      const native = await runOn('native', inputs, matMul(c));
      const cpu = await runOn('cpu', inputs, matMul(c));
      expect(maxRelativeError(native.values, cpu.values)).toBeLessThan(2e-5);
    } finally {
      expect(registerNativeKernels()).toBe(true);
    }
  });

  it('reads the heap after allocating the output even when that allocation grows the heap', async () => {
    await initBackend('wasm');
    // A 64 MiB output: allocating it grows the wasm memory, detaching the old heap buffer.
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    const a = tf.tensor2d(randomFloats(3000, 1), [3000, 1]);
    const b = tf.tensor2d(randomFloats(5600, 2), [1, 5600]);
    const heapBefore = heap();
    const out = tf.matMul(a, b);
    expect(heap()).not.toBe(heapBefore);
    const values = out.dataSync();
    const aValues = a.dataSync();
    const bValues = b.dataSync();
    for (const [i, j] of [
      [0, 0],
      [2999, 5599],
      [1234, 4321],
    ] as const) {
      expect(values[i * 5600 + j]).toBeCloseTo((aValues[i] ?? 0) * (bValues[j] ?? 0), 6);
    }
    tf.dispose([a, b, out]);
  });

  it('leaks no tensors and no wasm heap records across repeated products', async () => {
    await initBackend('wasm');
    const a = tf.tensor3d(randomFloats(2 * 30 * 20, 3), [2, 30, 20]);
    const b = tf.tensor3d(randomFloats(2 * 20 * 25, 4), [2, 20, 25]);
    const step = () => tf.tidy(() => tf.sum(tf.matMul(a, b)).dataSync()[0]);
    step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([a, b]);
  });
});
