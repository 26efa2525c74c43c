import { describe, expect, it } from 'vitest';
import { Rng } from '../src/train/rng';

describe('Rng', () => {
  it('matches the xoshiro128** reference outputs for state [1, 2, 3, 4]', () => {
    // Reference sequence of the published xoshiro128** algorithm for this state.
    const rng = Rng.fromState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 4], spareNormal: null });
    const outputs = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is deterministic per seed and differs across seeds (including above 2^32)', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(7)).not.toEqual(draw(7 + 2 ** 32));
    expect(draw(-1)).not.toEqual(draw(1));
  });

  it('next() stays in [0, 1) with mean near 1/2', () => {
    const rng = new Rng(1);
    let sum = 0;
    for (let index = 0; index < 20_000; index++) {
      const value = rng.next();
      expect(value >= 0 && value < 1).toBe(true);
      sum += value;
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });

  it('nextInt covers the range uniformly and rejects a bad bound', () => {
    const rng = new Rng(3);
    const counts = new Array(6).fill(0) as number[];
    for (let index = 0; index < 60_000; index++) {
      const value = rng.nextInt(6);
      expect(Number.isInteger(value) && value >= 0 && value < 6).toBe(true);
      counts[value] = (counts[value] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(() => rng.nextInt(0)).toThrow(/maxExclusive/);
    expect(() => rng.nextInt(2.5)).toThrow(/maxExclusive/);
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = new Rng(5);
    const n = 40_000;
    let sum = 0;
    let sumSquares = 0;
    for (let index = 0; index < n; index++) {
      const value = rng.normal();
      sum += value;
      sumSquares += value * value;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sumSquares / n - mean * mean - 1)).toBeLessThan(0.03);
  });

  it('shuffle returns a new permutation and leaves the input alone', () => {
    const rng = new Rng(9);
    const items = Array.from({ length: 50 }, (_, index) => index);
    const shuffled = rng.shuffle(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(new Rng(9).shuffle(items)).toEqual(shuffled);
  });

  it('every position is equally likely after a shuffle', () => {
    const rng = new Rng(11);
    const firstCounts = [0, 0, 0, 0];
    for (let index = 0; index < 8_000; index++) {
      const first = rng.shuffle([0, 1, 2, 3])[0] as number;
      firstCounts[first] = (firstCounts[first] ?? 0) + 1;
    }
    for (const count of firstCounts) expect(Math.abs(count - 2_000)).toBeLessThan(200);
  });

  it('fork gives deterministic, distinct child streams', () => {
    const parentA = new Rng(21);
    const parentB = new Rng(21);
    const childA = parentA.fork();
    const childB = parentB.fork();
    const secondChild = parentA.fork();
    const take = (rng: Rng) => Array.from({ length: 4 }, () => rng.nextUint32());
    const first = take(childA);
    expect(first).toEqual(take(childB));
    expect(take(secondChild)).not.toEqual(first);
    expect(take(parentA)).not.toEqual(first);
  });

  it('getState/fromState resume the exact stream, including a pending normal, through JSON', () => {
    const rng = new Rng(99);
    rng.next();
    rng.normal(); // leaves the spare Box–Muller value pending
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const restored = Rng.fromState(saved);
    const original = [rng.normal(), rng.next(), rng.nextInt(1000), rng.nextSeed()];
    expect([restored.normal(), restored.next(), restored.nextInt(1000), restored.nextSeed()]).toEqual(
      original,
    );
  });

  it('nextSeed returns non-negative int32 values', () => {
    const rng = new Rng(4);
    for (let index = 0; index < 1000; index++) {
      const seed = rng.nextSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 31 - 1).toBe(true);
    }
  });

  it('rejects bad seeds and states with errors naming the field', () => {
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
    expect(() =>
      Rng.fromState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0], spareNormal: null }),
    ).toThrow(/state\.words/);
    expect(() =>
      Rng.fromState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 2 ** 32], spareNormal: null }),
    ).toThrow(/state\.words\[3\]/);
    expect(() =>
      Rng.fromState({ algorithm: 'pcg' as 'xoshiro128**', words: [1, 2, 3, 4], spareNormal: null }),
    ).toThrow(/state\.algorithm/);
  });
});
