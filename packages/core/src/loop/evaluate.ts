import * as tf from '@tensorflow/tfjs';
import { type Metrics, TrlError } from '@trl/spec';
import { Rng } from '../train/rng';
import type { TrainingTask } from './training-task';

/**
 * Averages the task's loss and metrics over `examples` in order, in batches of `batchSize`,
 * weighting each batch by its number of examples; keys get the `eval_` prefix.
 */
export function evaluateTask<Example, Batch>(
  task: TrainingTask<Example, Batch>,
  examples: readonly Example[],
  batchSize: number,
  seed: number,
): Metrics {
  if (examples.length === 0)
    throw new TrlError(
      'invalid-dataset',
      `${task.name}: the eval dataset is empty; pass rows or drop evalStrategy.`,
    );
  const rng = new Rng(seed);
  const sums: Record<string, number> = {};
  for (let start = 0; start < examples.length; start += batchSize) {
    const slice = examples.slice(start, start + batchSize);
    const batch = task.collate(slice);
    const values = tf.tidy(() => {
      const output = task.computeLoss(batch, { training: false, rng });
      const names = ['loss', ...Object.keys(output.metrics ?? {})];
      const scalars = [output.loss, ...Object.values(output.metrics ?? {})];
      const read = tf.stack(scalars).dataSync();
      return names.map((name, index) => [name, read[index] as number] as const);
    });
    for (const [name, value] of values) sums[name] = (sums[name] ?? 0) + value * slice.length;
  }
  const averaged: Metrics = {};
  for (const [name, sum] of Object.entries(sums)) averaged[name] = sum / examples.length;
  const finished = task.finishEvalMetrics ? task.finishEvalMetrics(averaged) : averaged;
  return Object.fromEntries(Object.entries(finished).map(([name, value]) => [`eval_${name}`, value]));
}
