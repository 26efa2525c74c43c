import type { Rng } from '@trl/core';
import { drawOne } from '@trl/example-kit/random';
import { drawWord, reviewGrammar } from '@trl/example-kit/reviews';

/** Words that make a review better: each adds one to its positivity. */
export const POSITIVE_WORDS = ['good', 'great', 'fun', 'nice', 'clever', 'lovely'];
/** Words that make a review worse: each subtracts one. */
export const NEGATIVE_WORDS = ['bad', 'dull', 'awful', 'silly', 'boring', 'weak'];
/** Words that do not count either way. */
export const NEUTRAL_WORDS = ['long', 'short', 'quiet', 'loud', 'slow', 'old'];

const WORD_CLASSES = [POSITIVE_WORDS, NEGATIVE_WORDS, NEUTRAL_WORDS];
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

/** A preference pair: two reviews of the same opening, the more positive one `chosen`. */
export interface PreferencePair {
  chosen: string;
  rejected: string;
}

/**
 * The hidden preference the reward model has to discover: positive minus negative words in `text`
 * (anything else, including garbled tokens, counts zero).
 */
export function positivity(text: string): number {
  let score = 0;
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    if (POSITIVE_WORDS.includes(word)) score += 1;
    else if (NEGATIVE_WORDS.includes(word)) score -= 1;
  }
  return score;
}

/** A continuation with one to three adjectives, each drawn from a uniformly chosen class. */
export function sampleContinuation(rng: Rng): string {
  const words = Array.from({ length: 1 + rng.nextInt(3) }, () => drawWord(WORD_CLASSES, rng));
  if (words.length === 1) return ` ${words[0]}.`;
  return ` ${words.slice(0, -1).join(', ')} and ${words.at(-1)}.`;
}

/**
 * `count` preference pairs: two continuations of the same opening whose positivity differs; the more
 * positive one is `chosen`. Draws are retried until they differ, so no pair is a tie.
 */
export function samplePreferencePairs(
  openings: readonly string[],
  count: number,
  rng: Rng,
): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  while (pairs.length < count) {
    const opening = drawOne(openings, rng);
    const a = opening + sampleContinuation(rng);
    const b = opening + sampleContinuation(rng);
    const difference = positivity(a) - positivity(b);
    if (difference === 0) continue;
    pairs.push(difference > 0 ? { chosen: a, rejected: b } : { chosen: b, rejected: a });
  }
  return pairs;
}

/** Hotel and restaurant reviews: the openings (the policy's prompts) continued by one to three adjectives. */
export const REVIEWS = reviewGrammar(FRAMES, SUBJECTS, sampleContinuation);
export const { allOpenings, splitOpenings, sampleReviews } = REVIEWS;
