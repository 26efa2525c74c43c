/**
 * A stream of seeds for random tensor ops (dropout masks). The spec only names the one method
 * models call, so it stays free of any generator implementation; `@trl/core`'s `Rng` satisfies it,
 * and trainers pass their checkpointed `Rng` so a resumed run draws the same seeds.
 */
export interface SeedSource {
  /** The next seed; every call advances the stream. */
  nextSeed(): number;
}
