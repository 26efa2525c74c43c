import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { drawOne } from '../src/random';
import { drawWord, reviewGrammar, reviewOpenings, sampleReviews, splitOpenings } from '../src/reviews';

const FRAMES = ['{s} was', 'i think {s} was'];
const SUBJECTS = ['the tea', 'the cake', 'the room'];
const grammar = reviewGrammar(FRAMES, SUBJECTS, (rng) => ` ${drawWord([['ok'], ['fine', 'bad']], rng)}.`);

describe('review grammar helpers', () => {
  it('fills every frame with every subject, frame-major', () => {
    expect(reviewOpenings(FRAMES, SUBJECTS)).toEqual([
      'the tea was',
      'the cake was',
      'the room was',
      'i think the tea was',
      'i think the cake was',
      'i think the room was',
    ]);
    expect(grammar.allOpenings()).toEqual(reviewOpenings(FRAMES, SUBJECTS));
  });

  it('splits reproducibly into disjoint held-out and training openings, rejecting a bad size', () => {
    const { test, train } = grammar.splitOpenings(2, 7);
    expect(test).toHaveLength(2);
    expect(train).toHaveLength(4);
    expect(new Set([...test, ...train]).size).toBe(6);
    expect(grammar.splitOpenings(2, 7)).toEqual({ test, train });
    for (const size of [0, 6, 1.5]) {
      expect(() => splitOpenings(grammar.allOpenings(), size, 7)).toThrow(
        /splitOpenings: testSize must be an integer in \[1, 5\]/,
      );
    }
  });

  it('draws an opening, then its continuation, from one stream', () => {
    const reviews = grammar.sampleReviews(['the tea was'], 20, new Rng(3));
    for (const review of reviews) expect(review).toMatch(/^the tea was (ok|fine|bad)\.$/);
    // The same draws by hand: an opening index, then a class and a word.
    const rng = new Rng(4);
    const [first] = sampleReviews(FRAMES, 1, new Rng(4), () => '!');
    expect(first).toBe(`${FRAMES[rng.nextInt(FRAMES.length)]}!`);
  });

  it('draws a word by class first, so a small class is as likely as a large one', () => {
    const rng = new Rng(5);
    const words = Array.from({ length: 3000 }, () => drawWord([['a'], ['b', 'c', 'd']], rng));
    const share = words.filter((w) => w === 'a').length / words.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
    expect(() => drawOne([], rng)).toThrow(/non-empty/);
  });
});
