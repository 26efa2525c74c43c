import { klPenalty, logprobsFromLogits, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTargetTensors, type TargetInput } from '../src/index';
import { aggregateMinibatchStats, rolloutStats, sampleStd } from '../src/stats';
import { computeTargets } from '../src/targets';
import { expectClose, loadFixture } from './helpers/fixture';
import { useTestBackend } from './helpers/tiny-model';

const { config, inputs, expected } = loadFixture();
const options = {
  klCoef: config.kl_coef,
  klPenalty: 'kl' as const,
  gamma: config.gamma,
  lam: config.lam,
  whitenRewards: false,
};

function fixtureInput(): TargetInput & { logitsOld: tf.Tensor3D; logitsRef: tf.Tensor3D } {
  const labels = tf.tensor2d(inputs.labels, undefined, 'int32');
  const logitsOld = tf.tensor3d(inputs.logits_old);
  const logitsRef = tf.tensor3d(inputs.logits_ref);
  const input = {
    scores: tf.tensor1d(inputs.scores),
    logprobs: logprobsFromLogits(logitsOld, labels),
    refLogprobs: logprobsFromLogits(logitsRef, labels),
    values: tf.tensor2d(inputs.values),
    masks: tf.tensor2d(inputs.mask),
    logitsOld,
    logitsRef,
  };
  labels.dispose();
  return input;
}

describe('PPO targets against TRL v0.7.4 (fixture)', () => {
  beforeAll(useTestBackend);
  let input: ReturnType<typeof fixtureInput>;
  beforeAll(() => {
    input = fixtureInput();
  });
  afterAll(() => tf.dispose(Object.values(input)));

  it('log-probs of the sampled tokens match', () => {
    expectClose('logprobs', input.logprobs, expected.logprobs);
    expectClose('ref_logprobs', input.refLogprobs, expected.ref_logprobs);
  });

  it('rewards, advantages and returns match compute_rewards + compute_advantages', () => {
    const out = computeTargetTensors(input, options);
    expectClose('rewards', out.rewards, expected.rewards);
    expectClose('non_score_rewards', out.nonScoreRewards, expected.non_score_rewards);
    expectClose('advantages', out.advantages, expected.advantages);
    expectClose('returns', out.returns, expected.returns);
    const maskedValues = inputs.values.map((row, b) =>
      row.map((v, t) => v * (inputs.mask[b]?.[t] as number)),
    );
    expectClose('values', out.values, maskedValues);
    tf.dispose(Object.values(out));
  });

  it('whitenRewards matches TRL whiten_rewards=True', () => {
    const out = computeTargetTensors(input, { ...options, whitenRewards: true });
    expectClose('advantages', out.advantages, expected.advantages_whiten_rewards);
    expectClose('returns', out.returns, expected.returns_whiten_rewards);
    tf.dispose(Object.values(out));
  });

  it("'full' penalises with the whole-vocabulary KL", () => {
    const fullKl = klPenalty(
      input.logprobs,
      input.refLogprobs,
      'full',
      input.logitsOld,
      input.logitsRef,
    ) as tf.Tensor2D;
    const out = computeTargetTensors({ ...input, fullKl }, { ...options, klPenalty: 'full' });
    expectClose(
      'non_score_rewards',
      out.nonScoreRewards,
      expected.kl_full.map((row) => row.map((kl) => -config.kl_coef * kl)),
    );
    const last = inputs.mask.map((row) => row.lastIndexOf(1));
    const rewards = expected.kl_full.map((row, b) =>
      row.map((kl, t) => -config.kl_coef * kl + (t === last[b] ? (inputs.scores[b] as number) : 0)),
    );
    expectClose('rewards', out.rewards, rewards);
    tf.dispose([fullKl, ...Object.values(out)]);
    expect(() => computeTargetTensors(input, { ...options, klPenalty: 'full' })).toThrow(/fullKl/);
  });

  it('the response-aligned ragged layout gives TRL padded-layout numbers on every response token', () => {
    // Drop each row's leading masked columns (query and left padding), as PPOTrainer lays rows out.
    const lead = inputs.mask.map((row) => row.indexOf(1));
    const cut = <T>(rows: T[][]) => rows.map((row, b) => row.slice(lead[b]));
    const masks = cut(inputs.mask);
    const rollout = {
      logprobs: cut(expected.logprobs).map((row) => Float32Array.from(row)),
      refLogprobs: cut(expected.ref_logprobs).map((row) => Float32Array.from(row)),
      values: cut(inputs.values).map((row) => Float32Array.from(row)),
    };
    const targets = computeTargets(rollout, masks, inputs.scores, options);
    masks.forEach((mask, b) => {
      mask.forEach((weight, t) => {
        if (weight === 0) return;
        const column = t + (lead[b] as number);
        expect(targets.advantages[b]?.[t]).toBeCloseTo(expected.advantages[b]?.[column] as number, 4);
        expect(targets.returns[b]?.[t]).toBeCloseTo(expected.returns[b]?.[column] as number, 4);
        expect(targets.nonScoreRewards[b]?.[t]).toBeCloseTo(
          expected.non_score_rewards[b]?.[column] as number,
          5,
        );
      });
    });
  });

  it('a single response token in the batch gets advantage 0 instead of NaN', () => {
    const rollout = {
      logprobs: [Float32Array.of(-1)],
      refLogprobs: [Float32Array.of(-1.5)],
      values: [Float32Array.of(0.25)],
    };
    const targets = computeTargets(rollout, [[1]], [2], options);
    expect(Array.from(targets.advantages[0] as Float32Array)).toEqual([0]);
    // returns = reward - value + value = score - klCoef * 0.5
    expect(targets.returns[0]?.[0]).toBeCloseTo(2 - config.kl_coef * 0.5, 5);
  });
});

describe('step statistics (TRL record_step_stats)', () => {
  it('objective/kl sums the masked log-ratio per sample and averages over samples', () => {
    const stats = rolloutStats({
      scores: [1, 3],
      logprobs: [Float32Array.of(-1, -2, -3), Float32Array.of(-0.5)],
      refLogprobs: [Float32Array.of(-1.5, -2, -2), Float32Array.of(-1)],
      nonScoreRewards: [Float32Array.of(-0.1, 0, 0.2), Float32Array.of(-0.1)],
      masks: [[1, 0, 1], [1]],
      queryLengths: [2, 4],
      responseLengths: [3, 1],
    });
    // row 0: (0.5) + (-1) = -0.5 (middle token masked); row 1: 0.5
    expect(stats['objective/kl']).toBeCloseTo(0, 6);
    // entropy: row 0: 1 + 3 = 4, row 1: 0.5 -> mean 2.25
    expect(stats['objective/entropy']).toBeCloseTo(2.25, 6);
    // masked mean over 3 tokens: (-0.1 + 0.2 - 0.1) / 3
    expect(stats['ppo/mean_non_score_reward']).toBeCloseTo(0, 6);
    expect(stats['ppo/mean_scores']).toBe(2);
    expect(stats['ppo/std_scores']).toBeCloseTo(Math.SQRT2, 6);
    expect(stats['tokens/queries_len_mean']).toBe(3);
    expect(stats['tokens/responses_len_std']).toBeCloseTo(Math.SQRT2, 6);
  });

  it('one sample has std 0, not NaN', () => {
    expect(sampleStd([5])).toBe(0);
  });

  it('averages minibatch stats, skips NaN variances and never divides by zero', () => {
    const base = Object.fromEntries(
      [
        'loss/policy',
        'loss/value',
        'loss/total',
        'policy/entropy',
        'policy/approxkl',
        'policy/policykl',
        'policy/clipfrac',
        'policy/advantages_mean',
        'policy/ratio',
        'returns/mean',
        'returns/var',
        'val/vpred',
        'val/error',
        'val/clipfrac',
        'val/mean',
        'val/var',
      ].map((key) => [key, 1]),
    ) as Parameters<typeof aggregateMinibatchStats>[0][number];
    const stats = aggregateMinibatchStats([
      { ...base, 'returns/var': 4, 'val/error': 1 },
      { ...base, 'returns/var': Number.NaN, 'val/error': 3 },
    ]);
    expect(stats['ppo/returns/var']).toBe(4);
    expect(stats['ppo/val/error']).toBe(2);
    expect(stats['ppo/val/var_explained']).toBeCloseTo(0.5, 6);
    const flat = aggregateMinibatchStats([{ ...base, 'returns/var': 0 }]);
    expect(flat['ppo/val/var_explained']).toBe(0);
  });
});
