import { Rng } from '@trl/core';

/** Words that make a review better: each adds one to its positivity. */
export const POSITIVE_WORDS = ['good', 'great', 'fun', 'nice', 'clever', 'lovely'];
/** Words that make a review worse: each subtracts one. */
export const NEGATIVE_WORDS = ['bad', 'dull', 'awful', 'silly', 'boring', 'weak'];
/** Words that do not count either way. */
export const NEUTRAL_WORDS = ['long', 'short', 'quiet', 'loud', 'slow', 'old'];

const SUBJECTS = [
  'the food',
  'the service',
  'our room',
  'the view',
  'the bar',
  'the menu',
  'the pool',
  'the hotel',
];
const FRAMES = ['{s} was', 'i felt {s} was', 'overall {s} was', 'we thought {s} was', 'this time {s} was'];

/** Every review opening (frame × subject): the prompts of the policy. */
export function allOpenings() {
  return FRAMES.flatMap((frame) => SUBJECTS.map((subject) => frame.replace('{s}', subject)));
}

/** Splits the openings into `testSize` held-out ones and the rest, reproducibly from `seed`. */
export function splitOpenings(testSize, seed) {
  const openings = allOpenings();
  if (!Number.isInteger(testSize) || testSize < 1 || testSize >= openings.length) {
    throw new Error(
      `splitOpenings: testSize must be an integer in [1, ${openings.length - 1}], got ${testSize}.`,
    );
  }
  const shuffled = new Rng(seed).shuffle(openings);
  return { test: shuffled.slice(0, testSize), train: shuffled.slice(testSize) };
}

/**
 * The hidden preference the reward model has to discover: positive minus negative words in `text`
 * (anything else, including garbled tokens, counts zero).
 */
export function positivity(text) {
  let score = 0;
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    if (POSITIVE_WORDS.includes(word)) score += 1;
    else if (NEGATIVE_WORDS.includes(word)) score -= 1;
  }
  return score;
}

/** A continuation with one to three adjectives, each drawn from a uniformly chosen class. */
export function sampleContinuation(rng) {
  const pools = [POSITIVE_WORDS, NEGATIVE_WORDS, NEUTRAL_WORDS];
  const words = Array.from({ length: 1 + rng.nextInt(3) }, () => {
    const pool = pools[rng.nextInt(pools.length)];
    return pool[rng.nextInt(pool.length)];
  });
  if (words.length === 1) return ` ${words[0]}.`;
  return ` ${words.slice(0, -1).join(', ')} and ${words.at(-1)}.`;
}

/** `count` full reviews (an opening from `openings` plus a continuation), for SFT and the tokenizer. */
export function sampleReviews(openings, count, rng) {
  return Array.from(
    { length: count },
    () => openings[rng.nextInt(openings.length)] + sampleContinuation(rng),
  );
}

/**
 * `count` preference pairs: two continuations of the same opening whose positivity differs; the more
 * positive one is `chosen`. Draws are retried until they differ, so no pair is a tie.
 */
export function samplePreferencePairs(openings, count, rng) {
  const pairs = [];
  while (pairs.length < count) {
    const opening = openings[rng.nextInt(openings.length)];
    const a = opening + sampleContinuation(rng);
    const b = opening + sampleContinuation(rng);
    const difference = positivity(a) - positivity(b);
    if (difference === 0) continue;
    pairs.push(difference > 0 ? { chosen: a, rejected: b } : { chosen: b, rejected: a });
  }
  return pairs;
}
