import { Rng } from '@trl/core';

/** A deterministic toy batch: byte-valued queries and responses of varied lengths. */
export function toyBatch(
  size: number,
  seed = 3,
): { queries: number[][]; responses: number[][]; scores: number[] } {
  const rng = new Rng(seed);
  const row = (min: number, spread: number) =>
    Array.from({ length: min + rng.nextInt(spread) }, () => 32 + rng.nextInt(90));
  const queries = Array.from({ length: size }, () => row(1, 4));
  const responses = Array.from({ length: size }, () => row(1, 5));
  const scores = Array.from({ length: size }, () => Math.round((rng.next() * 2 - 1) * 100) / 100);
  return { queries, responses, scores };
}
