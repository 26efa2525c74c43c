/**
 * The one seeded random number generator of trl-ts: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, so every random choice in a run (shuffles, sampling, dropout seeds) derives from a single
 * integer seed and can be resumed exactly from a checkpointed state.
 */

import { TrlError } from '@trl/spec';

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;
const TWO_POW_26 = 67_108_864;

/** The JSON-serialisable state of an {@link Rng}; `Rng.fromState` restores the exact stream. */
export interface RngState {
  /** Generator name, checked on restore so a state from another algorithm is rejected. */
  algorithm: 'xoshiro128**';
  /** The four 32-bit words of the xoshiro128** state, as unsigned integers. */
  words: [number, number, number, number];
  /** The second Box–Muller normal, cached for the next `normal()` call; null when none is pending. */
  spareNormal: number | null;
}

/** splitmix32 step: a well-mixed 32-bit output from a counter, used only to expand seeds. */
function splitmix32(counter: number): number {
  let z = (counter + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}

function assertSeed(fn: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`seed\` must be a safe integer (e.g. 42), got ${String(seed)}.`,
    );
  }
}

/**
 * A fast, deterministic pseudo random generator. Not cryptographic. Every method advances the stream;
 * two generators built from the same seed produce the same sequence on every platform.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  /** Seeds the generator from any safe integer (negative and values above 2^32 included). */
  constructor(seed: number) {
    assertSeed('new Rng', seed);
    // Both halves of the seed feed the expansion so seeds that differ only above bit 32 differ.
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    let counter = (low ^ Math.imul(high, 0x85ebca6b)) >>> 0;
    const words: number[] = [];
    for (let index = 0; index < 4; index++) {
      counter = (counter + 0x9e3779b9) >>> 0;
      words.push(splitmix32(counter ^ Math.imul(index + 1, high | 1)));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // xoshiro's only forbidden state is all zeros; splitmix makes it astronomically unlikely, but be exact.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 0x9e3779b9;
  }

  /** Restores a generator saved with {@link Rng.getState}; it continues exactly where that one was. */
  static fromState(state: RngState): Rng {
    const fn = 'Rng.fromState';
    if (state === null || typeof state !== 'object') {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state\` must be the object returned by rng.getState(), got ${String(state)}.`,
      );
    }
    if (state.algorithm !== 'xoshiro128**') {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state.algorithm\` must be 'xoshiro128**', got ${String(state.algorithm)}.`,
      );
    }
    const words = state.words;
    if (!Array.isArray(words) || words.length !== 4) {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state.words\` must be an array of 4 unsigned 32-bit integers.`,
      );
    }
    for (const [index, word] of words.entries()) {
      if (!Number.isInteger(word) || word < 0 || word >= TWO_POW_32) {
        throw new TrlError(
          'invalid-checkpoint',
          `${fn}: \`state.words[${index}]\` must be an integer in [0, 2^32), got ${String(word)}.`,
        );
      }
    }
    if (words.every((word) => word === 0)) {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state.words\` are all zero, which xoshiro128** can never reach.`,
      );
    }
    if (state.spareNormal !== null && !Number.isFinite(state.spareNormal)) {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state.spareNormal\` must be a finite number or null.`,
      );
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words;
    rng.spareNormal = state.spareNormal;
    return rng;
  }

  /** A copy of the current state; plain JSON, safe to store in a checkpoint. */
  getState(): RngState {
    return {
      algorithm: 'xoshiro128**',
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spareNormal: this.spareNormal,
    };
  }

  /** The next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits (two raw outputs), like a float64 `random()`. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  /** A uniform integer in [0, maxExclusive); unbiased (rejection sampling). `maxExclusive` ≤ 2^32. */
  nextInt(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
      throw new TrlError(
        'invalid-argument',
        `Rng.nextInt: \`maxExclusive\` must be an integer in [1, 2^32], got ${String(maxExclusive)}.`,
      );
    }
    // Reject the top partial block of the 2^32 range so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % maxExclusive;
    }
  }

  /** A standard normal sample (mean 0, variance 1), by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** A new array holding `items` in a uniformly random order (Fisher–Yates); the input is untouched. */
  shuffle<T>(items: readonly T[]): T[] {
    const result = items.slice();
    for (let index = result.length - 1; index > 0; index--) {
      const other = this.nextInt(index + 1);
      const held = result[index] as T;
      result[index] = result[other] as T;
      result[other] = held;
    }
    return result;
  }

  /**
   * An independent child generator. Deterministic: the same parent state always yields the same child,
   * and the parent advances, so successive forks differ. Give each consumer (data order, sampling,
   * dropout) its own fork so adding draws in one does not shift the others.
   */
  fork(): Rng {
    const high = this.nextUint32();
    const low = this.nextUint32();
    // Re-expanding through the seeding path decorrelates the child from the parent's own stream.
    return new Rng(high * 2 ** 21 + (low >>> 11));
  }

  /** A non-negative int32 in [0, 2^31), for tfjs ops that take a `seed` (dropout, randomNormal). */
  nextSeed(): number {
    return this.nextUint32() >>> 1;
  }
}
