/**
 * The review grammar the single-turn examples (sentiment, reward-model) build their prompts and SFT
 * texts from: openings are frame × subject, a continuation is the example's own. Each helper draws
 * from the `Rng` in a fixed order, so a seed gives the same texts in every example that uses it.
 */
import { Rng } from '@trl/core';
import { drawOne } from './random';

/** Draws one continuation of an opening (starts with a space). */
export type SampleContinuation = (rng: Rng) => string;

/** A word from a pool drawn uniformly (one class of adjectives each), so the data has no lean. */
export function drawWord(pools: readonly (readonly string[])[], rng: Rng): string {
  return drawOne(drawOne(pools, rng), rng);
}

/** Every opening: each frame (with `{s}` for the subject) filled with each subject, frame-major. */
export function reviewOpenings(frames: readonly string[], subjects: readonly string[]): string[] {
  return frames.flatMap((frame) => subjects.map((subject) => frame.replace('{s}', subject)));
}

/** Splits `openings` into `testSize` held-out ones and the rest, reproducibly from `seed`. */
export function splitOpenings(
  openings: readonly string[],
  testSize: number,
  seed: number,
): { test: string[]; train: string[] } {
  if (!Number.isInteger(testSize) || testSize < 1 || testSize >= openings.length) {
    throw new Error(
      `splitOpenings: testSize must be an integer in [1, ${openings.length - 1}], got ${testSize}.`,
    );
  }
  const shuffled = new Rng(seed).shuffle(openings);
  return { test: shuffled.slice(0, testSize), train: shuffled.slice(testSize) };
}

/** `count` full reviews: an opening drawn from `openings`, then its continuation. */
export function sampleReviews(
  openings: readonly string[],
  count: number,
  rng: Rng,
  sampleContinuation: SampleContinuation,
): string[] {
  return Array.from({ length: count }, () => drawOne(openings, rng) + sampleContinuation(rng));
}

/** An example's review grammar: its openings and how to continue one. */
export interface ReviewGrammar {
  /** Every opening (frame × subject): the prompts. */
  allOpenings: () => string[];
  /** Splits the openings into `testSize` held-out ones and the rest, reproducibly from `seed`. */
  splitOpenings: (testSize: number, seed: number) => { test: string[]; train: string[] };
  /** `count` full reviews (an opening from `openings` plus a continuation), for the tokenizer and SFT. */
  sampleReviews: (openings: readonly string[], count: number, rng: Rng) => string[];
}

/**
 * The grammar of openings `frames` × `subjects` (each frame holds `{s}` for the subject) continued by
 * `sampleContinuation`.
 */
export function reviewGrammar(
  frames: readonly string[],
  subjects: readonly string[],
  sampleContinuation: SampleContinuation,
): ReviewGrammar {
  const allOpenings = () => reviewOpenings(frames, subjects);
  return {
    allOpenings,
    splitOpenings: (testSize, seed) => splitOpenings(allOpenings(), testSize, seed),
    sampleReviews: (openings, count, rng) => sampleReviews(openings, count, rng, sampleContinuation),
  };
}
