import { Rng, type RngState, TrlError } from '@trl/core';

/** What {@link LengthSampler.getState} returns: the bounds (checked on load) and the generator. */
export interface LengthSamplerState {
  /** Smallest length drawn. */
  minValue: number;
  /** One more than the largest length drawn. */
  maxValue: number;
  /** The generator's position. */
  rng: RngState;
}

/**
 * Draws generation lengths uniformly from `[minValue, maxValue)` (TRL's `LengthSampler`), seeded so a
 * run is reproducible. Call it as a function: `new LengthSampler(4, 16).sample()`, or pass `sample`.
 * Give it to the trainer (`new PPOTrainer({ lengthSampler })`) so `save`/`resume` carry its position
 * and a resumed run draws the same lengths as an uninterrupted one.
 */
export class LengthSampler {
  private rng: Rng;
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
      throw new TrlError(
        'invalid-argument',
        `LengthSampler: \`minValue\` must be an integer >= 1, got ${String(minValue)}.`,
      );
    }
    if (!Number.isInteger(maxValue) || maxValue <= minValue) {
      throw new TrlError(
        'invalid-argument',
        `LengthSampler: \`maxValue\` must be an integer > minValue (${minValue}); it is exclusive, got ${String(maxValue)}.`,
      );
    }
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.rng = new Rng(seed);
  }

  /** One length. */
  readonly sample = (): number => this.minValue + this.rng.nextInt(this.maxValue - this.minValue);

  /** The bounds and the generator's position, JSON-serialisable. */
  getState(): LengthSamplerState {
    return { minValue: this.minValue, maxValue: this.maxValue, rng: this.rng.getState() };
  }

  /** Continues from a saved position; the bounds must be the ones it was saved with. */
  loadState(state: LengthSamplerState): void {
    if (state?.minValue !== this.minValue || state?.maxValue !== this.maxValue) {
      throw new TrlError(
        'invalid-checkpoint',
        `LengthSampler.loadState: the state is for lengths [${state?.minValue}, ${state?.maxValue}) but this sampler draws [${this.minValue}, ${this.maxValue}); create it with the bounds of the saved run.`,
      );
    }
    this.rng = Rng.fromState(state.rng);
  }
}
