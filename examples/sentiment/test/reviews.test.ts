import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { NEGATIVE_WORDS, NEUTRAL_WORDS, POSITIVE_WORDS, REVIEWS, sampleContinuation } from '../src/reviews';
import { sentimentReward } from '../src/reward';

describe('review grammar', () => {
  it('uses adjectives whose AFINN-165 sign matches their class', () => {
    for (const word of POSITIVE_WORDS) expect(sentimentReward(word)).toBeGreaterThan(0);
    for (const word of NEGATIVE_WORDS) expect(sentimentReward(word)).toBeLessThan(0);
    for (const word of NEUTRAL_WORDS) expect(sentimentReward(word)).toBe(0);
  });

  it('scores a continuation by the comparative score: word scores over word count', () => {
    // great (+3) and fun (+4) over three words.
    expect(sentimentReward(' great and fun.')).toBeCloseTo(7 / 3, 10);
    expect(sentimentReward(' awful.')).toBe(-3);
    expect(sentimentReward('')).toBe(0);
  });

  it('splits the 40 openings into disjoint held-out and training sets, reproducibly', () => {
    const { test, train } = REVIEWS.splitOpenings(10, 3);
    expect(REVIEWS.allOpenings()).toHaveLength(40);
    expect(test).toHaveLength(10);
    expect(train).toHaveLength(30);
    expect(new Set([...test, ...train]).size).toBe(40);
    expect(REVIEWS.splitOpenings(10, 3)).toEqual({ test, train });
    expect(() => REVIEWS.splitOpenings(40, 3)).toThrow(/testSize/);
  });

  it('writes reviews that start with a given opening and mix all three sentiment classes', () => {
    const openings = ['the plot was'];
    const reviews = REVIEWS.sampleReviews(openings, 300, new Rng(1));
    for (const review of reviews) expect(review).toMatch(/^the plot was [a-z ,]+\.$/);
    const signs = new Set(reviews.map((review) => Math.sign(sentimentReward(review))));
    expect(signs).toEqual(new Set([-1, 0, 1]));
    const continuation = sampleContinuation(new Rng(2));
    expect(continuation.startsWith(' ')).toBe(true);
  });
});
