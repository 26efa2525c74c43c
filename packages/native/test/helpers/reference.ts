/** Deterministic uniform values in [-1, 1) (mulberry32), so failures reproduce. */
export function randomFloats(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Float64 reference for `batch` products of row-major operands at float offsets inside `a`/`b`,
 * with batch strides (0 broadcasts).
 */
export function referenceMatMul(
  a: Float32Array,
  b: Float32Array,
  dims: { batch: number; m: number; n: number; k: number; transposeA: boolean; transposeB: boolean },
  strideA: number,
  strideB: number,
): Float64Array {
  const { batch, m, n, k, transposeA, transposeB } = dims;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * strideA + (transposeA ? p * m + i : i * k + p)] ?? Number.NaN;
          const bv = b[t * strideB + (transposeB ? j * k + p : p * n + j)] ?? Number.NaN;
          sum += av * bv;
        }
        out[(t * m + i) * n + j] = sum;
      }
  return out;
}

/** Largest |x - y| / (1 + |y|) over two equally long arrays (Infinity if lengths differ). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const x = actual[i] ?? Number.NaN;
    const y = expected[i] ?? Number.NaN;
    const error = Math.abs(x - y) / (1 + Math.abs(y));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
  }
  return worst;
}
