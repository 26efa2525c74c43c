import { asWasmBackend, type tf, wasmFloat32HeapOffset, wasmHeapBuffer } from '@trl/core';
import type { NativeAddon } from './addon';
import type { MatMulPlan } from './matmul-plan';

type TensorInfo = tf.TensorInfo;

/** Bias and activation applied by the addon after the product. */
export interface NativeEpilogue {
  /** The bias tensor (size 1 or n), if any. */
  bias?: TensorInfo;
  /** Activation code from NATIVE_ACTIVATIONS. */
  activation: number;
  /** Slope for leakyrelu. */
  leakyAlpha: number;
}

const NO_EPILOGUE: NativeEpilogue = { activation: 0, leakyAlpha: 0 };

/**
 * Runs a planned matmul with the addon directly on the wasm heap and returns the output, or
 * undefined (having allocated nothing that survives) when anything is not as expected, so the
 * caller can run the stock kernel instead.
 */
export function runNativeMatMul(
  addon: NativeAddon,
  backendArg: unknown,
  a: TensorInfo,
  b: TensorInfo,
  plan: MatMulPlan,
  epilogue: NativeEpilogue = NO_EPILOGUE,
): TensorInfo | undefined {
  const backend = asWasmBackend(backendArg);
  if (!backend) return undefined;
  const aOffset = wasmFloat32HeapOffset(backend, a);
  const bOffset = wasmFloat32HeapOffset(backend, b);
  const biasOffset = epilogue.bias ? wasmFloat32HeapOffset(backend, epilogue.bias) : -1;
  if (aOffset === undefined || bOffset === undefined || biasOffset === undefined) return undefined;
  const biasSize = epilogue.bias ? epilogue.bias.shape.reduce((acc, d) => acc * d, 1) : 0;

  const out = backend.makeOutput(plan.outShape, 'float32');
  const outSize = out.shape.reduce((acc, d) => acc * d, 1);
  if (outSize === 0) return out;
  // Only now, after the last allocation, is the heap buffer stable for the call.
  const outOffset = wasmFloat32HeapOffset(backend, out);
  const heap = wasmHeapBuffer(backend);
  if (outOffset === undefined || heap === undefined) {
    backend.disposeData(out.dataId, true);
    return undefined;
  }
  const call = (aAt: number, bAt: number, cAt: number, batch: number, strideA: number, strideB: number) =>
    addon.sgemm(
      heap,
      aAt,
      bAt,
      cAt,
      batch,
      plan.m,
      plan.n,
      plan.k,
      plan.transposeA,
      plan.transposeB,
      strideA,
      strideB,
      biasOffset,
      biasSize,
      epilogue.activation,
      epilogue.leakyAlpha,
    );
  try {
    if (plan.pairs) {
      const aItem = plan.m * plan.k * 4;
      const bItem = plan.k * plan.n * 4;
      const cItem = plan.m * plan.n * 4;
      plan.pairs.forEach(([ia, ib], index) => {
        call(aOffset + ia * aItem, bOffset + ib * bItem, outOffset + index * cItem, 1, 0, 0);
      });
    } else {
      call(aOffset, bOffset, outOffset, plan.batch, plan.batchStrideA, plan.batchStrideB);
    }
  } catch (error) {
    backend.disposeData(out.dataId, true);
    throw error;
  }
  return out;
}
