import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  dpoLoss,
  GRPO_LOSS_TYPES,
  grpoAdvantages,
  grpoLoss,
  IMPORTANCE_SAMPLING_LEVELS,
} from '../src/rl/index';
import { describeEachBackend } from './helpers/backends';

// The parity tests run inside tf.tidy, which would hide a tensor a function forgot to free; these call
// each function bare, free only what it returns, and count.
describeEachBackend('GRPO / DPO math frees everything it does not return', () => {
  it('grpoAdvantages, both aggregations and every scaling', () => {
    const rewards = tf.tensor2d([
      [1, Number.NaN],
      [0, 2],
      [Number.NaN, Number.NaN],
      [3, 1],
    ]);
    const before = tf.memory().numTensors;
    for (const multiObjectiveAggregation of ['sum_then_normalize', 'normalize_then_sum'] as const) {
      for (const scaleRewards of ['group', 'batch', 'none'] as const) {
        const out = grpoAdvantages(rewards, { numGenerations: 2, scaleRewards, multiObjectiveAggregation });
        tf.dispose(out as unknown as tf.TensorContainer);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    rewards.dispose();
  });

  it('grpoLoss and its gradient, every loss type and level, on- and off-policy', () => {
    const logprobs = tf.variable(tf.tidy(() => tf.randomNormal([3, 4], -1, 0.5, 'float32', 3)));
    const inputs = tf.tidy(() => ({
      oldLogprobs: tf.randomNormal([3, 4], -1, 0.5, 'float32', 4) as tf.Tensor2D,
      refLogprobs: tf.randomNormal([3, 4], -1, 0.5, 'float32', 5) as tf.Tensor2D,
      mask: tf.tensor2d([
        [1, 1, 0, 0],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ]),
      advantages: tf.tensor1d([0.7, -1.2, 0]),
    }));
    const before = tf.memory().numTensors;
    for (const lossType of GRPO_LOSS_TYPES) {
      for (const importanceSamplingLevel of IMPORTANCE_SAMPLING_LEVELS) {
        for (const onPolicy of [true, false]) {
          const { oldLogprobs, ...rest } = inputs;
          const input = {
            ...rest,
            ...(onPolicy ? {} : { oldLogprobs }),
            logprobs: logprobs as unknown as tf.Tensor2D,
          };
          const config = { lossType, importanceSamplingLevel, beta: 0.04, delta: 2 };
          tf.dispose(grpoLoss(input, config) as unknown as tf.TensorContainer);
          const { value, grads } = tf.variableGrads(() => grpoLoss(input, config).loss, [logprobs]);
          tf.dispose([value, grads]);
        }
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logprobs, inputs]);
  });

  it('dpoLoss and its gradient, every loss type', () => {
    const chosen = tf.variable(tf.tensor1d([-3, -5]));
    const fixed = {
      rejectedLogps: tf.tensor1d([-4, -2]),
      refChosenLogps: tf.tensor1d([-3.5, -5]),
      refRejectedLogps: tf.tensor1d([-4, -2.5]),
      chosenLengths: tf.tensor1d([3, 5]),
      rejectedLengths: tf.tensor1d([4, 0]),
    };
    const before = tf.memory().numTensors;
    for (const lossType of ['sigmoid', 'hinge', 'ipo', 'robust'] as const) {
      const input = { ...fixed, chosenLogps: chosen as unknown as tf.Tensor1D };
      tf.dispose(dpoLoss(input, { lossType, labelSmoothing: 0.1 }) as unknown as tf.TensorContainer);
      const { value, grads } = tf.variableGrads(() => dpoLoss(input, { lossType }).loss, [chosen]);
      tf.dispose([value, grads]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([chosen, fixed]);
  });
});
