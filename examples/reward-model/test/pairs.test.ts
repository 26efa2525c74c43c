import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { positivity, REVIEWS, sampleContinuation, samplePreferencePairs } from '../src/pairs';

describe('preference data', () => {
  it('counts positive minus negative words, ignoring everything else', () => {
    expect(positivity('the food was good, great and dull.')).toBe(1);
    expect(positivity('the bar was awful and boring.')).toBe(-2);
    expect(positivity('the pool was long.')).toBe(0);
    expect(positivity('xx goodness ##')).toBe(0);
  });

  it('splits the 40 openings into disjoint held-out and training sets, reproducibly', () => {
    const { test, train } = REVIEWS.splitOpenings(10, 3);
    expect(REVIEWS.allOpenings()).toHaveLength(40);
    expect(new Set([...test, ...train]).size).toBe(40);
    expect(test).toHaveLength(10);
    expect(REVIEWS.splitOpenings(10, 3)).toEqual({ test, train });
    expect(() => REVIEWS.splitOpenings(0, 3)).toThrow(/testSize/);
  });

  it('writes continuations of one to three adjectives', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      expect(sampleContinuation(rng)).toMatch(/^ [a-z]+((, [a-z]+)? and [a-z]+)?\.$/);
    }
    const reviews = REVIEWS.sampleReviews(['our room was'], 50, new Rng(5));
    for (const review of reviews) expect(review.startsWith('our room was ')).toBe(true);
  });

  it('makes pairs that share an opening, never tie, and prefer the more positive review', () => {
    const openings = REVIEWS.allOpenings().slice(0, 5);
    const pairs = samplePreferencePairs(openings, 300, new Rng(6));
    expect(pairs).toHaveLength(300);
    for (const { chosen, rejected } of pairs) {
      expect(positivity(chosen)).toBeGreaterThan(positivity(rejected));
      const opening = openings.find((o) => chosen.startsWith(`${o} `));
      expect(opening).toBeDefined();
      expect(rejected.startsWith(`${opening} `)).toBe(true);
    }
    // Both orders of length occur, so length alone cannot separate chosen from rejected.
    expect(pairs.some((p) => p.chosen.length > p.rejected.length)).toBe(true);
    expect(pairs.some((p) => p.chosen.length < p.rejected.length)).toBe(true);
  });
});
