import type { Rng } from '@trl/core';

/** One item of `items`, drawn with one `rng.nextInt`. */
export function drawOne<T>(items: readonly T[], rng: Rng): T {
  if (items.length === 0) throw new Error('drawOne: `items` must be a non-empty list.');
  // The index is below the length, so the element exists.
  return items[rng.nextInt(items.length)] as T;
}

/** Draws `count` items from `pool` with replacement, one `rng.nextInt` each. */
export function drawWithReplacement<T>(pool: readonly T[], count: number, rng: Rng): T[] {
  return Array.from({ length: count }, () => drawOne(pool, rng));
}

/** A shuffled copy of `items` (Fisher–Yates from the last position down, one `rng.nextInt` per swap). */
export function seededShuffle<T>(items: readonly T[], rng: Rng): T[] {
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    // i and j are both indices of `shuffled`.
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  return shuffled;
}
