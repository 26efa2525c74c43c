import { AdamW, type CausalLM, crossEntropy, tf } from '@trl/core';
import { expect } from 'vitest';

/**
 * Trains `model` to continue `sequence` (inputs `sequence[:-1]`, labels `sequence[1:]`) for `steps`
 * AdamW steps at `learningRate`, checking every trainable variable gets a gradient; returns the losses.
 */
export function memorise(
  model: CausalLM,
  sequence: readonly number[],
  steps: number,
  learningRate: number,
): number[] {
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, { learningRate });
  const ids = tf.tensor2d([sequence.slice(0, -1)], undefined, 'int32');
  const labels = tf.tensor2d([sequence.slice(1)], undefined, 'int32');
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: ids, training: true }).logits, labels) as tf.Scalar,
      params.map((p) => p.variable),
    );
    expect(Object.keys(grads)).toHaveLength(params.length);
    optimizer.step(grads);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([ids, labels]);
  optimizer.dispose();
  return losses;
}
