import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { type GrpoLossConfig, grpoLoss, grpoStatsToMetrics, stopGradient } from '../src/rl/index';
import { expectClose, type GrpoLossCase, loadGrpoLossFixture } from './fixtures/grpo-dpo/fixture';
import { describeEachBackend } from './helpers/backends';

const fixture = loadGrpoLossFixture();
const { inputs } = fixture;

function configOf(c: GrpoLossCase): GrpoLossConfig {
  const { config } = c;
  return {
    lossType: config.lossType,
    importanceSamplingLevel: config.importanceSamplingLevel,
    epsilon: config.epsilon,
    epsilonHigh: config.epsilonHigh,
    beta: config.beta,
    useBiasCorrectionKl: config.useBiasCorrectionKl,
    maxCompletionLength: fixture.maxCompletionLength,
    gradientAccumulationSteps: config.gradientAccumulationSteps ?? 1,
    ...(config.delta === undefined ? {} : { delta: config.delta }),
  };
}

function describeCase(c: GrpoLossCase): string {
  const { config } = c;
  const extras = Object.entries(config)
    .filter(([key]) => !['lossType', 'importanceSamplingLevel', 'scaleRewards', 'epsilon'].includes(key))
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `${config.lossType} / ${config.importanceSamplingLevel} / advantages '${config.scaleRewards}' (${extras})`;
}

describeEachBackend(`grpoLoss parity with TRL ${fixture.trl_version}`, () => {
  it('the fixture covers every loss type at both importance levels and every reward scaling', () => {
    const combos = new Set(
      fixture.cases.map(
        (c) => `${c.config.lossType}/${c.config.importanceSamplingLevel}/${c.config.scaleRewards}`,
      ),
    );
    expect(combos.size).toBe(6 * 2 * 3);
    expect(fixture.inputs.mask.some((row) => row.every((v) => v === 0))).toBe(true);
  });

  for (const c of fixture.cases) {
    it(`loss, gradient and metrics match TRL: ${describeCase(c)}`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const logprobs = tf.tensor2d(inputs.logprobs);
        const mask = tf.tensor2d(inputs.mask, undefined, 'int32');
        const totalTokens = inputs.mask.flat().reduce((a, b) => a + b, 0);
        const input = {
          mask,
          advantages: c.config.perTokenAdvantages
            ? tf.tensor2d(fixture.perTokenAdvantages)
            : tf.tensor1d(fixture.advantages[c.config.scaleRewards]),
          refLogprobs: tf.tensor2d(inputs.refLogprobs),
          entropies: tf.tensor2d(inputs.entropies),
          ...(c.config.withOld ? { oldLogprobs: tf.tensor2d(inputs.oldLogprobs) } : {}),
          ...(c.config.numItemsScale === undefined
            ? {}
            : { numItemsInBatch: totalTokens * c.config.numItemsScale }),
        };
        const config = configOf(c);
        const out = grpoLoss({ ...input, logprobs }, config);
        expectClose('loss', out.loss, c.loss);
        const metrics = grpoStatsToMetrics(out.stats);
        expect(Object.keys(metrics).sort()).toEqual(Object.keys(c.metrics).sort());
        for (const [name, value] of Object.entries(c.metrics))
          expectClose(name, metrics[name] as number, value);
        const grad = tf.grad(
          (lp: tf.Tensor) => grpoLoss({ ...input, logprobs: lp as tf.Tensor2D }, config).loss,
        );
        expectClose('d loss / d logprobs', grad(logprobs), c.gradLogprobs);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('stopGradient keeps the values and blocks the gradient', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([0.5, -1.5, 2]);
      expectClose('value', stopGradient(x), [0.5, -1.5, 2]);
      // d/dx [x * sg(x)] = sg(x): only the undetached factor differentiates.
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
      expectClose('gradient', grad, [0.5, -1.5, 2]);
    });
  });

  it('names the missing or misshapen argument', () => {
    tf.tidy(() => {
      const logprobs = tf.zeros([2, 3]) as tf.Tensor2D;
      const mask = tf.ones([2, 3]) as tf.Tensor2D;
      expect(() => grpoLoss({ logprobs, mask, advantages: tf.tensor1d([0, 0]) }, { beta: 0.1 })).toThrow(
        /refLogprobs/,
      );
      expect(() => grpoLoss({ logprobs, mask, advantages: tf.tensor1d([0, 0, 0]) })).toThrow(/advantages/);
      expect(() =>
        grpoLoss({ logprobs, mask: tf.ones([2, 2]) as tf.Tensor2D, advantages: tf.tensor1d([0, 0]) }),
      ).toThrow(/mask/);
      expect(() =>
        grpoLoss({ logprobs, mask, advantages: tf.tensor1d([0, 0]) }, { lossType: 'ppo' as 'grpo' }),
      ).toThrow(/lossType/);
    });
  });
});
