import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, type WasmBackendInternals, wasmHeapOffset } from './wasm-internals';

type TensorInfo = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Copies the box `begin`/`size` of `x` into a new tensor with `copyWithin` on the heap, one call
 * per contiguous run. The stock wasm Slice copies the whole input out of the heap first and
 * allocates a subarray per row, which made splitting q/k/v cost more than the projection itself.
 */
function sliceOnHeap(
  backend: WasmBackendInternals,
  x: TensorInfo,
  begin: number[],
  size: number[],
): TensorInfo | undefined {
  const from = wasmHeapOffset(backend, x);
  if (from === undefined) return undefined;
  const out = backend.makeOutput(size, x.dtype);
  const to = wasmHeapOffset(backend, out);
  if (to === undefined) return undefined;
  const count = size.reduce((a, b) => a * b, 1);
  if (count === 0) return out;
  // Taken after makeOutput: growing the heap replaces HEAPU8.
  const heap = backend.wasm.HEAPU8;
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // Merge trailing axes that are taken whole into one contiguous run.
  let inner = rank - 1;
  let run = size[inner] ?? 1;
  while (inner > 0 && size[inner] === x.shape[inner]) {
    inner--;
    run *= size[inner]!;
  }
  const runBytes = run * 4;
  const outer = count / run;
  const index = new Array<number>(inner).fill(0);
  let start = 0;
  for (let axis = 0; axis < rank; axis++) start += (begin[axis] ?? 0) * (strides[axis] ?? 1);
  let dst = to;
  for (let r = 0; r < outer; r++) {
    let src = start;
    for (let axis = 0; axis < inner; axis++) src += index[axis]! * strides[axis]!;
    heap.copyWithin(dst, from + src * 4, from + src * 4 + runBytes);
    dst += runBytes;
    for (let axis = inner - 1; axis >= 0; axis--) {
      if (++index[axis]! < size[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}

function isCopyable(x: TensorInfo | undefined): x is TensorInfo {
  return x !== undefined && (x.dtype === 'float32' || x.dtype === 'int32');
}

function fastSlice(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    const backend = asWasmBackend(args.backend);
    if (backend && isCopyable(x)) {
      const [begin, size] = tf.slice_util.parseSliceParams(
        x as tf.Tensor,
        args.attrs!.begin as number[],
        args.attrs!.size as number[],
      );
      const out = begin && size ? sliceOnHeap(backend, x, begin, size) : undefined;
      if (out) return out;
    }
    return stock(args);
  };
}

function fastSplitV(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    const backend = asWasmBackend(args.backend);
    if (!backend || !isCopyable(x)) return stock(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(
      x as tf.Tensor,
      args.attrs!.numOrSizeSplits as number[] | number,
      axis,
    );
    const begin = new Array<number>(x.shape.length).fill(0);
    const outputs: TensorInfo[] = [];
    for (const piece of sizes) {
      const size = [...x.shape];
      size[axis] = piece;
      const out = sliceOnHeap(backend, x, [...begin], size);
      if (!out) return stock(args);
      outputs.push(out);
      begin[axis]! += piece;
    }
    return outputs;
  };
}

/**
 * Identity that shares the input's buffer (reference-counted), as the cpu backend does; tensors are
 * immutable. The stock wasm Identity copies, and `tf.customGrad` saves every tensor for backward
 * through it, so each saved weight matrix existed twice during a training step.
 */
function sharingIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    const backend = asWasmBackend(args.backend);
    if (!backend || !x || x.dtype === 'string') return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

let installed = false;

/**
 * Replaces the wasm backend's Slice and SplitV for float32/int32 tensors with heap-to-heap copies,
 * and its Identity with a shared buffer (other dtypes, or a backend whose internals differ from
 * tfjs-backend-wasm 4.22's, keep the stock kernels). Idempotent.
 */
export function installWasmHeapKernels(): void {
  if (installed) return;
  for (const [name, make] of [
    ['Slice', fastSlice],
    ['SplitV', fastSplitV],
    ['Identity', sharingIdentity],
  ] as const) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
  }
  installed = true;
}
