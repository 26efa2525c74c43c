import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, it } from 'vitest';
import {
  computeAdvantages,
  computeRewards,
  entropyFromLogits,
  fullLogprobsFromLogits,
  klPenalty,
  logprobsFromLogits,
  maskedMean,
  maskedVar,
  maskedWhiten,
  ppoLoss,
  ppoStatsToNumbers,
  RunningMoments,
} from '../src/rl/index';
import { loadRlMathFixture } from './fixtures/rl-math/fixture';
import { describeEachBackend } from './helpers/backends';
import { expectNoTensorLeak } from './helpers/tensors';

const { config, inputs } = loadRlMathFixture();

describeEachBackend('RL math leaves no tensors behind', () => {
  let mask: tf.Tensor2D;
  let labels: tf.Tensor2D;
  let logitsOld: tf.Tensor3D;
  let logitsRef: tf.Tensor3D;
  let values: tf.Tensor2D;
  let vpreds: tf.Tensor2D;
  let scores: tf.Tensor1D;

  beforeAll(() => {
    mask = tf.tensor2d(inputs.mask, undefined, 'int32');
    labels = tf.tensor2d(inputs.labels, undefined, 'int32');
    logitsOld = tf.tensor3d(inputs.logits_old, undefined, 'float32');
    logitsRef = tf.tensor3d(inputs.logits_ref, undefined, 'float32');
    values = tf.tensor2d(inputs.values, undefined, 'float32');
    vpreds = tf.tensor2d(inputs.vpreds, undefined, 'float32');
    scores = tf.tensor1d(inputs.scores, 'float32');
  });
  afterAll(() => tf.dispose([mask, labels, logitsOld, logitsRef, values, vpreds, scores]));

  it('per-token functions and masked statistics', () => {
    expectNoTensorLeak(() => {
      const outputs = [
        logprobsFromLogits(logitsOld, labels),
        fullLogprobsFromLogits(logitsOld),
        entropyFromLogits(logitsOld),
        maskedMean(values, mask),
        maskedMean(values, mask, 1),
        maskedVar(values, mask),
        maskedWhiten(values, mask, false),
      ];
      tf.dispose(outputs);
    });
  });

  it('klPenalty (every kind), computeRewards and computeAdvantages', () => {
    const logprob = logprobsFromLogits(logitsOld, labels);
    const refLogprob = logprobsFromLogits(logitsRef, labels);
    expectNoTensorLeak(() => {
      for (const kind of ['kl', 'abs', 'mse'] as const) klPenalty(logprob, refLogprob, kind).dispose();
      klPenalty(logprob, refLogprob, 'full', logitsOld, logitsRef).dispose();
      const rewards = computeRewards(scores, logprob, refLogprob, mask, config.kl_coef);
      const advantages = computeAdvantages(values, rewards.rewards, mask, { whitenRewards: true });
      tf.dispose([rewards, advantages] as unknown as tf.TensorContainer);
    });
    tf.dispose([logprob, refLogprob]);
  });

  it('a full PPO minibatch step: rewards, GAE, then loss and gradients through tf.variableGrads', () => {
    const policyLogits = tf.variable(logitsOld.clone(), true);
    const valueHead = tf.variable(vpreds.clone(), true);
    const optimizer = tf.train.sgd(0.01);
    expectNoTensorLeak(() => {
      const rollout = tf.tidy(() => {
        const oldLogprobs = logprobsFromLogits(policyLogits as tf.Tensor3D, labels);
        const refLogprobs = logprobsFromLogits(logitsRef, labels);
        const { rewards } = computeRewards(scores, oldLogprobs, refLogprobs, mask, config.kl_coef);
        return { oldLogprobs, ...computeAdvantages(values, rewards, mask) };
      });
      let stats: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = ppoLoss({
          ...rollout,
          logits: policyLogits as tf.Tensor3D,
          logprobs: logprobsFromLogits(policyLogits as tf.Tensor3D, labels),
          vpreds: valueHead as tf.Tensor2D,
          mask,
        });
        stats = ppoStatsToNumbers(out.stats);
        return out.loss;
      });
      optimizer.applyGradients(grads);
      tf.dispose([value, grads, rollout] as unknown as tf.TensorContainer);
      if (!Number.isFinite(stats.entropy)) throw new Error('entropy should be finite');
    }, 3);
    optimizer.dispose();
    tf.dispose([policyLogits, valueHead]);
  });

  it('RunningMoments.update reads a tensor without keeping anything', () => {
    const moments = new RunningMoments();
    expectNoTensorLeak(() => {
      moments.update(scores);
    });
  });
});
