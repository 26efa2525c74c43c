import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/engine/init-backend';
import { installWasmHeapKernels } from '../src/engine/wasm-heap-kernels';

/** The same op on the cpu backend (reference) and on wasm with the heap kernels. */
async function bothBackends(build: () => tf.Tensor | tf.Tensor[]) {
  const run = async (name: 'cpu' | 'wasm') => {
    await initBackend(name);
    const out = build();
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(
      list.map(async (t) => ({ shape: t.shape, data: Array.from(await t.data()) })),
    );
    tf.dispose(list);
    return values;
  };
  return { cpu: await run('cpu'), wasm: await run('wasm') };
}

const iota = (shape: number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.reshape(
    tf.range(
      0,
      shape.reduce((a, b) => a * b, 1),
      1,
      dtype,
    ),
    shape,
  );

beforeAll(async () => {
  await initBackend('wasm');
  installWasmHeapKernels();
});

describe('wasm heap kernels', () => {
  it('clone (Identity) shares the buffer instead of copying, and frees it with the last owner', async () => {
    await initBackend('wasm');
    const backend = tf.engine().backend;
    const buffers = backend.numDataIds();
    const x = tf.tensor2d(
      Float32Array.from({ length: 64 * 64 }, (_, i) => i),
      [64, 64],
    );
    const copy = tf.clone(x);
    // One buffer for the two tensors (the stock kernel made a second one).
    expect(backend.numDataIds()).toBe(buffers + 1);
    x.dispose();
    expect(Array.from((await copy.data()).slice(0, 3))).toEqual([0, 1, 2]);
    copy.dispose();
    expect(backend.numDataIds()).toBe(buffers);
  });

  it('is what initBackend(wasm) runs for slice and split (copies on the heap)', async () => {
    await initBackend('wasm');
    const copies = vi.spyOn(Uint8Array.prototype, 'copyWithin');
    try {
      const x = iota([4, 6]);
      tf.dispose([x, tf.slice(x, [1, 1], [2, 3]), ...tf.split(x, 2, 1)]);
      // Two rows for the slice, four rows for each of the two split pieces.
      expect(copies).toHaveBeenCalledTimes(10);
    } finally {
      copies.mockRestore();
    }
  });

  it('slice matches the cpu backend for every rank, inner box and dtype', async () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [4]],
      [
        [6, 9],
        [1, 2],
        [4, 5],
      ],
      [
        [6, 9],
        [2, 0],
        [3, 9],
      ],
      [
        [4, 5, 6],
        [1, 0, 2],
        [2, 5, 3],
      ],
      [
        [4, 5, 6],
        [0, 1, 0],
        [4, 3, 6],
      ],
      [
        [3, 4, 5, 6],
        [1, 1, 1, 1],
        [2, 2, 3, 4],
      ],
      [
        [2, 3, 2, 3, 2],
        [1, 0, 1, 1, 0],
        [1, 3, 1, 2, 2],
      ],
    ];
    for (const dtype of ['float32', 'int32'] as const) {
      for (const [shape, begin, size] of cases) {
        const { cpu, wasm } = await bothBackends(() => tf.slice(iota(shape, dtype), begin, size));
        expect(wasm).toEqual(cpu);
      }
    }
  });

  it('split (SplitV) matches the cpu backend on each axis, equal and uneven pieces', async () => {
    for (const [axis, pieces] of [
      [0, 2],
      [1, [1, 3, 2]],
      [2, 3],
    ] as const) {
      const { cpu, wasm } = await bothBackends(() =>
        tf.split(iota([4, 6, 9]), pieces as number | number[], axis),
      );
      expect(wasm).toEqual(cpu);
    }
  });

  it('leaves other dtypes to the stock kernel and keeps gradients flowing', async () => {
    await initBackend('wasm');
    const flags = tf.tensor1d([true, false, true, true], 'bool');
    expect(Array.from(await tf.slice(flags, [1], [2]).data())).toEqual([0, 1]);
    const x = iota([3, 6]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.split(t, 3, 1)[1]!, 2)))(x);
    expect(Array.from(await grad.data())).toEqual([0, 0, 2, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 2, 2, 0, 0]);
    tf.dispose([flags, x, grad]);
  });

  it('leaks no tensors', async () => {
    await initBackend('wasm');
    const x = iota([8, 12]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose([...tf.split(x, 3, 1), tf.slice(x, [1, 1], [3, 3])]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
