import type { tf } from '@trl/core';
import { describe, expect, it } from 'vitest';
import type { NativeAddon } from '../src/addon';
import { nativeBatchMatMul } from '../src/kernels';
import { resolveNativeKernelOptions } from '../src/options';

type TensorInfo = tf.TensorInfo;

const info = (id: number, shape: number[]): TensorInfo => ({ dataId: { id }, shape, dtype: 'float32' });
const STOCK_RESULT = info(99, [4, 4]);

/** A stand-in for BackendWasm with a fixed heap and data map, recording allocations and frees. */
function fakeBackend(offsets: Map<number, unknown>) {
  const heap = new Uint8Array(1 << 12);
  const freed: number[] = [];
  let next = 1000;
  return {
    freed,
    backend: {
      wasm: { HEAPU8: heap },
      dataIdMap: { get: (dataId: { id: number }) => ({ memoryOffset: offsets.get(dataId.id) }) },
      makeOutput(shape: number[]): TensorInfo {
        const id = next++;
        offsets.set(id, 2048);
        return info(id, shape);
      },
      disposeData(dataId: { id: number }): boolean {
        freed.push(dataId.id);
        return true;
      },
      // Part of the internals @trl/core checks for (its heap kernels use it); unused here.
      incRef(): void {},
    },
  };
}

function kernelWith(sgemm: NativeAddon['sgemm']) {
  const failures: unknown[] = [];
  let stockCalls = 0;
  const addon = { sgemm } as NativeAddon;
  const kernel = nativeBatchMatMul({
    addon,
    options: resolveNativeKernelOptions({ threads: 1 }),
    stock: () => {
      stockCalls++;
      return STOCK_RESULT;
    },
    enabled: () => failures.length === 0,
    onFailure: (error) => failures.push(error),
  });
  return { kernel, failures, stockCalls: () => stockCalls };
}

describe('fallback to the stock kernel', () => {
  const inputs = { a: info(1, [20, 4]), b: info(2, [4, 4]) };

  it('runs natively on a backend with the expected internals', () => {
    let called = 0;
    const { kernel, stockCalls } = kernelWith(() => {
      called++;
    });
    const { backend } = fakeBackend(
      new Map<number, unknown>([
        [1, 0],
        [2, 512],
      ]),
    );
    const out = kernel({ inputs, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    expect(called).toBe(1);
    expect(stockCalls()).toBe(0);
    expect(out.shape).toEqual([20, 4]);
  });

  it('uses the stock kernel when the backend lacks the internals or an offset is not a number', () => {
    const { kernel, stockCalls } = kernelWith(() => {
      throw new Error('must not be called');
    });
    expect(kernel({ inputs, backend: {}, attrs: {} })).toBe(STOCK_RESULT);
    const { backend, freed } = fakeBackend(new Map<number, unknown>([[2, 512]]));
    expect(kernel({ inputs, backend, attrs: {} })).toBe(STOCK_RESULT);
    expect(stockCalls()).toBe(2);
    expect(freed).toEqual([]);
  });

  it('frees its output, reports the failure once, and stays on stock after the addon throws', () => {
    const { kernel, failures, stockCalls } = kernelWith(() => {
      throw new RangeError('sgemm: C runs past the buffer');
    });
    const { backend, freed } = fakeBackend(
      new Map<number, unknown>([
        [1, 0],
        [2, 512],
      ]),
    );
    expect(kernel({ inputs, backend, attrs: {} })).toBe(STOCK_RESULT);
    expect(freed).toEqual([1000]);
    expect(failures).toHaveLength(1);
    expect(kernel({ inputs, backend, attrs: {} })).toBe(STOCK_RESULT);
    expect(stockCalls()).toBe(2);
    expect(freed).toEqual([1000]);
  });
});
