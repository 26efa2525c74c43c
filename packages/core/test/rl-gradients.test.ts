import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  computeAdvantages,
  computeRewards,
  entropyFromLogits,
  logprobsFromLogits,
  type PpoLossInput,
  ppoLoss,
} from '../src/rl/index';
import { expectParity, loadRlMathFixture } from './fixtures/rl-math/fixture';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';

const { config, inputs, expected } = loadRlMathFixture();

describeEachBackend('RL math gradients', () => {
  let labels: tf.Tensor2D;
  let logitsNew: tf.Tensor3D;
  let minibatch: Omit<PpoLossInput, 'logprobs' | 'vpreds'>;
  let vpreds: tf.Tensor2D;

  beforeAll(() => {
    labels = tf.tensor2d(inputs.labels, undefined, 'int32');
    logitsNew = tf.tensor3d(inputs.logits_new, undefined, 'float32');
    vpreds = tf.tensor2d(inputs.vpreds, undefined, 'float32');
    minibatch = tf.tidy(() => {
      const mask = tf.tensor2d(inputs.mask, undefined, 'float32');
      const oldLogprobs = tf.tensor2d(expected.logprobs, undefined, 'float32');
      const refLogprobs = tf.tensor2d(expected.ref_logprobs, undefined, 'float32');
      const scores = tf.tensor1d(inputs.scores, 'float32');
      const values = tf.tensor2d(inputs.values, undefined, 'float32');
      const { rewards } = computeRewards(scores, oldLogprobs, refLogprobs, mask, config.kl_coef);
      const advantages = computeAdvantages(values, rewards, mask, { gamma: config.gamma, lam: config.lam });
      return { oldLogprobs, mask, logits: logitsNew.clone(), ...advantages };
    });
  });
  afterAll(() => tf.dispose([labels, logitsNew, vpreds, minibatch as unknown as tf.TensorContainer]));

  it('logprobsFromLogits: analytic gradient (one-hot minus softmax) matches central differences', () => {
    const small = tf.tidy(() => tf.slice(logitsNew, [0, 0, 0], [2, 4, 7]) as tf.Tensor3D);
    const smallLabels = tf.tidy(() => tf.slice(labels, [0, 0], [2, 4]) as tf.Tensor2D);
    expectGradientsMatchNumerical((x) => logprobsFromLogits(x as tf.Tensor3D, smallLabels), [small]);
    const [exact, analytic] = tf.tidy(() => {
      const grad = tf.grad((x: tf.Tensor) => tf.sum(logprobsFromLogits(x as tf.Tensor3D, smallLabels)))(
        small,
      );
      const byHand = tf.sub(tf.cast(tf.oneHot(smallLabels, 7), 'float32'), tf.softmax(small));
      return [tf.keep(byHand), tf.keep(grad)];
    });
    expect(tf.max(tf.abs(tf.sub(exact, analytic))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([small, smallLabels, exact, analytic]);
  });

  it('entropyFromLogits: gradient matches central differences', () => {
    const small = tf.tidy(() => tf.slice(logitsNew, [0, 0, 0], [2, 3, 7]) as tf.Tensor3D);
    expectGradientsMatchNumerical((x) => entropyFromLogits(x as tf.Tensor3D), [small]);
    small.dispose();
  });

  it('ppoLoss: gradient with respect to logprobs and vpreds matches central differences', () => {
    const logprobs = tf.tensor2d(expected.new_logprobs, undefined, 'float32');
    expectGradientsMatchNumerical(
      (lp, vp) => ppoLoss({ ...minibatch, logprobs: lp as tf.Tensor2D, vpreds: vp as tf.Tensor2D }).loss,
      [logprobs, vpreds],
      { epsilon: 1e-3, atol: 2e-4, rtol: 1e-2 },
    );
    logprobs.dispose();
  });

  it('ppoLoss trains through tf.variableGrads from logits to the loss value of the fixture', () => {
    const logits = tf.variable(logitsNew.clone(), true, undefined);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const logprobs = logprobsFromLogits(logits as tf.Tensor3D, labels);
      return ppoLoss({ ...minibatch, logits: logits as tf.Tensor3D, logprobs, vpreds }).loss;
    });
    expectParity('total', value.dataSync()[0] as number, expected.ppo_loss.total);
    const grad = grads[logits.name] as tf.Tensor;
    expect(grad.shape).toEqual([config.B, config.T, config.V]);
    // Masked positions get no policy gradient; the gradient of a log-prob sums to 0 over the vocabulary.
    const [maskedNorm, vocabSums] = tf.tidy(() => {
      const unmasked = tf.sub(1, minibatch.mask);
      const masked = tf.sum(tf.abs(tf.mul(grad, tf.expandDims(unmasked, -1))));
      return [masked.dataSync()[0] as number, tf.max(tf.abs(tf.sum(grad, -1))).dataSync()[0] as number];
    });
    expect(maskedNorm).toBe(0);
    expect(vocabSums).toBeLessThan(1e-6);
    expect(tf.tidy(() => tf.sum(tf.abs(grad)).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });

  it('ppoLoss: a mean ratio above ratioThreshold zeroes the losses and their gradient', () => {
    const logprobs = tf.tensor2d(expected.new_logprobs, undefined, 'float32');
    const trainable = tf.variable(vpreds.clone(), true, 'rl-threshold-vpreds');
    const { value, grads } = tf.variableGrads(() => {
      const out = ppoLoss(
        { ...minibatch, logprobs, vpreds: trainable as tf.Tensor2D },
        { ratioThreshold: 1.001 },
      );
      expect(out.stats.skipped.dataSync()[0]).toBe(1);
      expect(out.pgLoss.dataSync()[0]).toBe(0);
      expect(out.vfLoss.dataSync()[0]).toBe(0);
      return out.loss;
    }, [trainable]);
    expect(value.dataSync()[0]).toBe(0);
    const grad = grads['rl-threshold-vpreds'] as tf.Tensor;
    expect(tf.tidy(() => tf.sum(tf.abs(grad)).dataSync()[0])).toBe(0);
    tf.dispose([value, grad, logprobs, trainable]);
  });
});
