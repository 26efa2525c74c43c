import { Rng } from '@trl/core';

/**
 * Draws generation lengths uniformly from `[minValue, maxValue)` (TRL's `LengthSampler`), seeded so a
 * run is reproducible. Call it as a function: `new LengthSampler(4, 16).sample()`, or pass `sample`.
 */
export class LengthSampler {
  private readonly rng: Rng;
  /** Smallest length drawn. */
  readonly minValue: number;
  /** One more than the largest length drawn. */
  readonly maxValue: number;

  /**
   * @param minValue smallest length, an integer >= 1.
   * @param maxValue exclusive upper bound, an integer > minValue.
   * @param seed seed of the draws. Default 0.
   */
  constructor(minValue: number, maxValue: number, seed = 0) {
    if (!Number.isInteger(minValue) || minValue < 1) {
      throw new Error(`LengthSampler: \`minValue\` must be an integer >= 1, got ${String(minValue)}.`);
    }
    if (!Number.isInteger(maxValue) || maxValue <= minValue) {
      throw new Error(
        `LengthSampler: \`maxValue\` must be an integer > minValue (${minValue}); it is exclusive, got ${String(maxValue)}.`,
      );
    }
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.rng = new Rng(seed);
  }

  /** One length. */
  readonly sample = (): number => this.minValue + this.rng.nextInt(this.maxValue - this.minValue);
}
