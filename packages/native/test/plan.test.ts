import { describe, expect, it } from 'vitest';
import { planMatMul } from '../src/index';

describe('planMatMul', () => {
  it('folds a batch that shares one B into a single tall product', () => {
    const plan = planMatMul([4, 10, 8], [8, 6], false, false);
    expect(plan).toMatchObject({ m: 40, n: 6, k: 8, batch: 1, outShape: [4, 10, 6], plain2d: false });
  });

  it('keeps a shared B as a zero stride when A is transposed (rows are not contiguous)', () => {
    const plan = planMatMul([4, 8, 10], [1, 8, 6], true, false);
    expect(plan).toMatchObject({ m: 10, batch: 4, batchStrideA: 80, batchStrideB: 0, outShape: [4, 10, 6] });
  });

  it('uses a zero A stride when only B has batch items', () => {
    expect(planMatMul([10, 8], [3, 8, 6], false, false)).toMatchObject({
      batch: 3,
      batchStrideA: 0,
      batchStrideB: 48,
    });
  });

  it('lists item pairs for two-sided broadcasting', () => {
    const plan = planMatMul([2, 1, 4, 5], [1, 3, 5, 6], false, false);
    expect(plan?.outShape).toEqual([2, 3, 4, 6]);
    expect(plan?.pairs).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  it('returns undefined for mismatched inner dims, incompatible batches, or rank < 2', () => {
    expect(planMatMul([3, 4], [5, 6], false, false)).toBeUndefined();
    expect(planMatMul([2, 3, 4], [3, 4, 5], false, false)).toBeUndefined();
    expect(planMatMul([4], [4, 5], false, false)).toBeUndefined();
  });

  it('marks plain untransposed 2-D products (the stock XNNPACK case)', () => {
    expect(planMatMul([5, 7], [7, 3], false, false)?.plain2d).toBe(true);
    expect(planMatMul([7, 5], [7, 3], true, false)?.plain2d).toBe(false);
  });
});
