import { TrlError } from '@trl/spec';

/** How many values are NaN or infinite, and the first one's index (-1 when all are finite). */
export interface NonFiniteCount {
  /** Number of NaN or infinite values. */
  count: number;
  /** Flat index of the first of them, or -1. */
  first: number;
}

/** Counts NaN and infinite values in one pass (`x - x` is 0 exactly when x is finite). */
export function countNonFinite(values: ArrayLike<number>): NonFiniteCount {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value - value !== 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/**
 * Throws unless every value is finite, naming the tensor, where the first bad value is and `fix`:
 * a weight file with NaN or Inf would otherwise load silently and poison every output.
 */
export function assertFiniteTensor(values: ArrayLike<number>, what: string, fix: string): void {
  const { count, first } = countNonFinite(values);
  if (count === 0) return;
  throw new TrlError(
    'non-finite-value',
    `${what} holds ${count} NaN or infinite value(s) (first at flat index ${first}: ${values[first]}); ${fix}`,
  );
}
