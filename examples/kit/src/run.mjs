import { join } from 'node:path';
import { JsonlTracker, MultiTracker, TensorBoardTracker } from '@trl/core';

/** Rounds for logs and summaries, where more digits are noise. */
export function round(value, digits = 4) {
  return Number(value.toFixed(digits));
}

/** Arithmetic mean; 0 for an empty list so an empty batch logs a number rather than NaN. */
export function mean(values) {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The examples' tracker: a fresh `metrics.jsonl` plus TensorBoard event files, both under `runDir`. */
export function createRunTracker(runDir) {
  return new MultiTracker([
    new JsonlTracker(join(runDir, 'metrics.jsonl'), { append: false }),
    new TensorBoardTracker(join(runDir, 'tensorboard')),
  ]);
}
