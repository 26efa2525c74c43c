import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
} from '../src/rl/index';
import { expectParity, loadRlMathFixture } from './fixtures/rl-math/fixture';
import { describeEachBackend } from './helpers/backends';

const fixture = loadRlMathFixture();
const { config, inputs, expected } = fixture;

/** The fixture's inputs as float32/int32 tensors, created per backend and disposed after. */
interface Inputs {
  mask: tf.Tensor2D;
  labels: tf.Tensor2D;
  logitsOld: tf.Tensor3D;
  logitsRef: tf.Tensor3D;
  logitsNew: tf.Tensor3D;
  values: tf.Tensor2D;
  vpreds: tf.Tensor2D;
  scores: tf.Tensor1D;
}

function makeInputs(): Inputs {
  return {
    mask: tf.tensor2d(inputs.mask, undefined, 'float32'),
    labels: tf.tensor2d(inputs.labels, undefined, 'int32'),
    logitsOld: tf.tensor3d(inputs.logits_old, undefined, 'float32'),
    logitsRef: tf.tensor3d(inputs.logits_ref, undefined, 'float32'),
    logitsNew: tf.tensor3d(inputs.logits_new, undefined, 'float32'),
    values: tf.tensor2d(inputs.values, undefined, 'float32'),
    vpreds: tf.tensor2d(inputs.vpreds, undefined, 'float32'),
    scores: tf.tensor1d(inputs.scores, 'float32'),
  };
}

describeEachBackend('RL math parity with TRL v0.7.4', () => {
  let x: Inputs;
  beforeAll(() => {
    x = makeInputs();
  });
  afterAll(() => tf.dispose(x as unknown as tf.TensorContainer));

  it('has the fixture dimensions it claims', () => {
    expect(x.logitsOld.shape).toEqual([config.B, config.T, config.V]);
    expect(x.mask.shape).toEqual([config.B, config.T]);
  });

  it('logprobsFromLogits matches logprobs, ref_logprobs and new_logprobs', () => {
    tf.tidy(() => {
      expectParity('logprobs', logprobsFromLogits(x.logitsOld, x.labels), expected.logprobs);
      expectParity('ref_logprobs', logprobsFromLogits(x.logitsRef, x.labels), expected.ref_logprobs);
      expectParity('new_logprobs', logprobsFromLogits(x.logitsNew, x.labels), expected.new_logprobs);
    });
  });

  it('klPenalty matches every kind, full from logits and from full log-probs alike', () => {
    tf.tidy(() => {
      const logprob = logprobsFromLogits(x.logitsOld, x.labels);
      const refLogprob = logprobsFromLogits(x.logitsRef, x.labels);
      expectParity('kl_kl', klPenalty(logprob, refLogprob, 'kl'), expected.kl_kl);
      expectParity('kl_abs', klPenalty(logprob, refLogprob, 'abs'), expected.kl_abs);
      expectParity('kl_mse', klPenalty(logprob, refLogprob, 'mse'), expected.kl_mse);
      expectParity(
        'kl_full(logits)',
        klPenalty(logprob, refLogprob, 'full', x.logitsOld, x.logitsRef),
        expected.kl_full,
      );
      const full = fullLogprobsFromLogits(x.logitsOld);
      const refFull = fullLogprobsFromLogits(x.logitsRef);
      expectParity('kl_full(full logprobs)', klPenalty(full, refFull, 'full'), expected.kl_full);
    });
  });

  it('computeRewards matches rewards and non_score_rewards (kl kind, kl_coef from the config)', () => {
    tf.tidy(() => {
      const logprob = logprobsFromLogits(x.logitsOld, x.labels);
      const refLogprob = logprobsFromLogits(x.logitsRef, x.labels);
      const out = computeRewards(x.scores, logprob, refLogprob, x.mask, config.kl_coef, 'kl');
      expectParity('rewards', out.rewards, expected.rewards);
      expectParity('non_score_rewards', out.nonScoreRewards, expected.non_score_rewards);
      expectParity('kls', out.kls, expected.kl_kl);
    });
  });

  it("computeRewards with kind 'full' takes full log-probs and puts the score on the last token", () => {
    tf.tidy(() => {
      const full = fullLogprobsFromLogits(x.logitsOld);
      const refFull = fullLogprobsFromLogits(x.logitsRef);
      const out = computeRewards(x.scores, full, refFull, x.mask, config.kl_coef, 'full');
      expectParity('kls(full)', out.kls, expected.kl_full);
      const nonScore = expected.kl_full.map((row) => row.map((kl) => -config.kl_coef * kl));
      expectParity('nonScoreRewards(full)', out.nonScoreRewards, nonScore);
      // The last 1 of each mask row: 8, 7 and 8.
      const lastIndex = [8, 7, 8];
      const rewards = nonScore.map((row, b) =>
        row.map((value, t) => (t === lastIndex[b] ? value + (inputs.scores[b] as number) : value)),
      );
      expectParity('rewards(full)', out.rewards, rewards);
    });
  });

  it('computeAdvantages matches advantages and returns, and returns masked values', () => {
    tf.tidy(() => {
      const rewards = tf.tensor2d(expected.rewards, undefined, 'float32');
      const out = computeAdvantages(x.values, rewards, x.mask, { gamma: config.gamma, lam: config.lam });
      expectParity('advantages', out.advantages, expected.advantages);
      expectParity('returns', out.returns, expected.returns);
      const maskedValues = inputs.values.map((row, b) =>
        row.map((v, t) => v * (inputs.mask[b]?.[t] as number)),
      );
      expectParity('values', out.values, maskedValues);
    });
  });

  it('computeAdvantages with whitenRewards matches the *_whiten_rewards variants', () => {
    tf.tidy(() => {
      const rewards = tf.tensor2d(expected.rewards, undefined, 'float32');
      const out = computeAdvantages(x.values, rewards, x.mask, {
        gamma: config.gamma,
        lam: config.lam,
        whitenRewards: true,
      });
      expectParity('advantages_whiten_rewards', out.advantages, expected.advantages_whiten_rewards);
      expectParity('returns_whiten_rewards', out.returns, expected.returns_whiten_rewards);
    });
  });

  it('computeAdvantages without whitening returns raw GAE, which is returns - values', () => {
    tf.tidy(() => {
      const rewards = tf.tensor2d(expected.rewards, undefined, 'float32');
      const out = computeAdvantages(x.values, rewards, x.mask, { whiten: false });
      const maskedValues = inputs.values.map((row, b) =>
        row.map((v, t) => v * (inputs.mask[b]?.[t] as number)),
      );
      const raw = expected.returns.map((row, b) => row.map((r, t) => r - (maskedValues[b]?.[t] as number)));
      expectParity('raw advantages', out.advantages, raw);
    });
  });

  it('maskedMean, maskedVar and maskedWhiten match the fixture values', () => {
    tf.tidy(() => {
      expectParity(
        'masked_mean_values',
        maskedMean(x.values, x.mask).dataSync()[0] as number,
        expected.masked_mean_values,
      );
      expectParity(
        'masked_var_values',
        maskedVar(x.values, x.mask).dataSync()[0] as number,
        expected.masked_var_values,
      );
      expectParity('masked_whiten_values', maskedWhiten(x.values, x.mask), expected.masked_whiten_values);
      expectParity(
        'masked_whiten_values_noshift',
        maskedWhiten(x.values, x.mask, false),
        expected.masked_whiten_values_noshift,
      );
    });
  });

  it('ppoLoss, fed by the whole pipeline from the raw inputs, matches every ppo_loss entry', () => {
    tf.tidy(() => {
      const oldLogprobs = logprobsFromLogits(x.logitsOld, x.labels);
      const refLogprobs = logprobsFromLogits(x.logitsRef, x.labels);
      const { rewards } = computeRewards(x.scores, oldLogprobs, refLogprobs, x.mask, config.kl_coef);
      const { values, advantages, returns } = computeAdvantages(x.values, rewards, x.mask, {
        gamma: config.gamma,
        lam: config.lam,
      });
      const out = ppoLoss(
        {
          oldLogprobs,
          values,
          logits: x.logitsNew,
          vpreds: x.vpreds,
          logprobs: logprobsFromLogits(x.logitsNew, x.labels),
          mask: x.mask,
          advantages,
          returns,
        },
        { cliprange: config.cliprange, cliprangeValue: config.cliprange_value, vfCoef: config.vf_coef },
      );
      const want = expected.ppo_loss;
      const stats = ppoStatsToNumbers(out.stats);
      expectParity('pg_loss', out.pgLoss.dataSync()[0] as number, want.pg_loss);
      expectParity('vf_loss', out.vfLoss.dataSync()[0] as number, want.vf_loss);
      expectParity('total', out.loss.dataSync()[0] as number, want.total);
      expectParity('pg_clipfrac', stats.pgClipfrac, want.pg_clipfrac);
      expectParity('vf_clipfrac', stats.vfClipfrac, want.vf_clipfrac);
      expectParity('entropy', stats.entropy, want.entropy);
      expectParity('approxkl', stats.approxkl, want.approxkl);
      expectParity('policykl', stats.policykl, want.policykl);
      expectParity('ratio_mean', stats.ratioMean, want.ratio_mean);
      expect(stats.skipped).toBe(0);
    });
  });

  it('entropyFromLogits: masked mean over the fixture equals ppo_loss.entropy; uniform logits give log V', () => {
    tf.tidy(() => {
      const entropy = maskedMean(entropyFromLogits(x.logitsNew), x.mask);
      expectParity('entropy', entropy.dataSync()[0] as number, expected.ppo_loss.entropy);
      const uniform = entropyFromLogits(tf.fill([2, 3, 7], 0.5) as tf.Tensor3D);
      expectParity(
        'uniform entropy',
        uniform,
        Array.from({ length: 2 }, () => [Math.log(7), Math.log(7), Math.log(7)]),
      );
    });
  });
});
