/**
 * How one BatchMatMul maps onto the addon's strided GEMM: the sizes, the output shape, and either
 * a uniform batch (strides, 0 for a broadcast operand) or, for two-sided broadcasting, one
 * (A item, B item) pair per output item.
 */
export interface MatMulPlan {
  /** Rows of op(A) and of the output (times the batch when folded into one product). */
  m: number;
  /** Columns of op(B) and of the output. */
  n: number;
  /** The shared inner dimension. */
  k: number;
  /** Whether A is stored k x m. */
  transposeA: boolean;
  /** Whether B is stored n x k. */
  transposeB: boolean;
  /** The output's shape: broadcast batch dims, then rows and columns. */
  outShape: number[];
  /** Number of products in the uniform case (1 when folded). */
  batch: number;
  /** Floats between consecutive A items (0: every product reads the same A). */
  batchStrideA: number;
  /** Floats between consecutive B items (0: every product reads the same B). */
  batchStrideB: number;
  /** Present only for two-sided broadcasting: per output item, the A and B item indices. */
  pairs?: Array<[number, number]>;
  /** Whether the caller's operands were plain 2-D and untransposed (XNNPACK's fast case). */
  plain2d: boolean;
}

const product = (dims: readonly number[]): number => dims.reduce((acc, d) => acc * d, 1);

/** Right-aligned numpy broadcasting; undefined when the dims are incompatible. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Index of the operand item that output item `index` reads, for an operand with `dims` batch dims. */
function sourceItem(index: number, outDims: readonly number[], dims: readonly number[]): number {
  let remaining = index;
  let item = 0;
  let stride = 1;
  for (let i = outDims.length - 1; i >= 0; i--) {
    const outDim = outDims[i] ?? 1;
    const coordinate = remaining % outDim;
    remaining = Math.floor(remaining / outDim);
    const dim = dims[dims.length - outDims.length + i] ?? 1;
    item += (dim === 1 ? 0 : coordinate) * stride;
    stride *= dim;
  }
  return item;
}

/**
 * Plans `matMul(a, b, transposeA, transposeB)` for operands of these shapes, or returns undefined
 * when the shapes are invalid (the stock kernel then reports the error in tfjs's words).
 */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan | undefined {
  if (aShape.length < 2 || bShape.length < 2) return undefined;
  const aRows = aShape[aShape.length - 2] ?? 0;
  const aCols = aShape[aShape.length - 1] ?? 0;
  const bRows = bShape[bShape.length - 2] ?? 0;
  const bCols = bShape[bShape.length - 1] ?? 0;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kB = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (k !== kB) return undefined;
  const aDims = aShape.slice(0, -2);
  const bDims = bShape.slice(0, -2);
  const outDims = broadcastShape(aDims, bDims);
  if (!outDims) return undefined;
  const outShape = [...outDims, m, n];
  const batchA = product(aDims);
  const batchB = product(bDims);
  const batch = product(outDims);
  const plain2d = aShape.length === 2 && bShape.length === 2 && !transposeA && !transposeB;
  const base = { n, k, transposeA, transposeB, outShape, plain2d };

  if (batchB === 1 && !transposeA) {
    // Every item multiplies the same B and A's items are contiguous rows: one tall product.
    return { ...base, m: m * batch, batch: 1, batchStrideA: 0, batchStrideB: 0 };
  }
  if (batchA === batch && batchB === batch) {
    // Equal batch sizes broadcast only through size-1 dims, which keep the item order.
    return { ...base, m, batch, batchStrideA: m * k, batchStrideB: k * n };
  }
  if (batchA === 1 || batchB === 1) {
    return {
      ...base,
      m,
      batch,
      batchStrideA: batchA === 1 ? 0 : m * k,
      batchStrideB: batchB === 1 ? 0 : k * n,
    };
  }
  const pairs: Array<[number, number]> = [];
  for (let index = 0; index < batch; index++)
    pairs.push([sourceItem(index, outDims, aDims), sourceItem(index, outDims, bDims)]);
  return { ...base, m, batch, batchStrideA: m * k, batchStrideB: k * n, pairs };
}
