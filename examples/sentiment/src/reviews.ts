import type { Rng } from '@trl/core';
import { drawOne } from '@trl/example-kit/random';
import { drawWord, reviewGrammar } from '@trl/example-kit/reviews';

/** Adjectives AFINN-165 scores positive (+3 or +4); the grammar draws each class equally often. */
export const POSITIVE_WORDS = [
  'good',
  'great',
  'excellent',
  'wonderful',
  'amazing',
  'fun',
  'beautiful',
  'brilliant',
];
/** Adjectives AFINN-165 scores negative (-2 or -3). */
export const NEGATIVE_WORDS = ['bad', 'terrible', 'awful', 'boring', 'horrible', 'dull', 'stupid', 'ugly'];
/** Adjectives AFINN-165 does not score: the continuations a sentiment-neutral policy would also write. */
export const NEUTRAL_WORDS = ['long', 'short', 'quiet', 'loud', 'simple', 'slow', 'old', 'new'];

const WORD_CLASSES = [POSITIVE_WORDS, NEGATIVE_WORDS, NEUTRAL_WORDS];
const SUBJECTS = [
  'the movie',
  'the plot',
  'the acting',
  'the ending',
  'the music',
  'the cast',
  'this film',
  'the story',
];
const FRAMES = ['{s} was', 'i thought {s} was', 'honestly, {s} was', 'in the end {s} was', 'to me {s} felt'];

/** One adjective from a class drawn uniformly (positive, negative, neutral), so SFT data has no lean. */
function adjective(rng: Rng): string {
  return drawWord(WORD_CLASSES, rng);
}

/** A continuation of an opening: one of three short forms, always starting with a space, ending with a dot. */
export function sampleContinuation(rng: Rng): string {
  const form = rng.nextInt(3);
  if (form === 0) return ` ${adjective(rng)}.`;
  if (form === 1) return ` ${adjective(rng)} and ${adjective(rng)}.`;
  const subject = drawOne(SUBJECTS, rng);
  return ` ${adjective(rng)}, but ${subject} was ${adjective(rng)}.`;
}

/**
 * Movie reviews: the openings (the PPO prompts; a held-out set is never seen in SFT or PPO) continued
 * by one of three short forms.
 */
export const REVIEWS = reviewGrammar(FRAMES, SUBJECTS, sampleContinuation);
export const { allOpenings, splitOpenings, sampleReviews } = REVIEWS;
