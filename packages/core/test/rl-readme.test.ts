import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  AdaptiveKLController,
  computeAdvantages,
  computeRewards,
  logprobsFromLogits,
  ppoLoss,
  ppoStatsToNumbers,
} from '../src/rl/index';

// The "RL math" snippet of packages/core/README.md, kept runnable here (import path aside).
it('README snippet: one PPO step of RL math runs and its numbers hold together', () => {
  const klController = new AdaptiveKLController(0.2, 6, 10_000);
  const summary = tf.tidy(() => {
    const labels = tf.tensor2d(
      [
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d([
      [0, 1, 1, 1],
      [0, 1, 1, 0],
    ]); // 1 = response token
    const policyLogits = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
    const refLogits = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 2) as tf.Tensor3D;
    const values = tf.randomNormal([2, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const scores = tf.tensor1d([1.0, -0.5]);

    const logprobs = logprobsFromLogits(policyLogits, labels);
    const refLogprobs = logprobsFromLogits(refLogits, labels);
    const { rewards, kls } = computeRewards(scores, logprobs, refLogprobs, mask, klController.value);
    const { advantages, returns } = computeAdvantages(values, rewards, mask, { gamma: 1, lam: 0.95 });
    const { loss, stats } = ppoLoss({
      oldLogprobs: logprobs,
      logprobs,
      logits: policyLogits,
      values,
      vpreds: values,
      mask,
      advantages,
      returns,
    });
    const meanKl = tf.sum(tf.mul(kls, mask)).dataSync()[0]! / 2; // per sequence, as TRL logs it
    return { loss: loss.dataSync()[0]!, stats: ppoStatsToNumbers(stats), meanKl };
  });
  klController.update(summary.meanKl, 2);

  // Identical old and new policies: ratio 1, no clipping, zero KL terms; the policy loss is
  // -mean(whitened advantages) = 0, so the loss is vfCoef * 0.5 * mean((values - returns)^2).
  expect(summary.stats.ratioMean).toBeCloseTo(1, 6);
  expect(summary.stats.pgClipfrac).toBe(0);
  expect(summary.stats.approxkl).toBe(0);
  expect(summary.loss).toBeCloseTo(0.1 * 0.5 * summary.stats.valueError, 6);
  expect(summary.loss).toBeGreaterThan(0);
  expect(klController.value).not.toBe(0.2);
});
