import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  DPO_METRIC_NAMES,
  dpoLoss,
  dpoStatsToMetrics,
  logprobsFromLogits,
  logSigmoid,
} from '../src/rl/index';
import { expectClose, loadDpoLossFixture } from './fixtures/grpo-dpo/fixture';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';

const fixture = loadDpoLossFixture();
const { inputs } = fixture;
const pairs = inputs.refChosenLogps.length;

/** Sequence log-probs as TRL forms them: per-token log-probs of the labels, masked, summed per row. */
function sequenceLogps(
  logits: tf.Tensor3D,
  labels: tf.Tensor2D,
  mask: tf.Tensor2D,
): [tf.Tensor1D, tf.Tensor1D] {
  const summed = tf.sum(tf.mul(logprobsFromLogits(logits, labels), mask), 1) as tf.Tensor1D;
  return [summed.slice(0, pairs), summed.slice(pairs, pairs)];
}

describeEachBackend(`dpoLoss parity with TRL ${fixture.trl_version}`, () => {
  it('the fixture has pairs ranked both ways and every loss type', () => {
    expect(fixture.cases[0]?.metrics['rewards/accuracies']).toBeGreaterThan(0);
    expect(fixture.cases[0]?.metrics['rewards/accuracies']).toBeLessThan(1);
    expect(new Set(fixture.cases.flatMap((c) => c.lossType))).toEqual(
      new Set(['sigmoid', 'hinge', 'ipo', 'robust']),
    );
  });

  for (const c of fixture.cases) {
    const name = `${c.lossType.join('+')} beta=${c.beta} labelSmoothing=${c.labelSmoothing}`;
    it(`loss, reward metrics and gradient w.r.t. logits match TRL: ${name}`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const logits = tf.tensor3d(inputs.logits);
        const labels = tf.tensor2d(inputs.labels, undefined, 'int32');
        const mask = tf.tensor2d(inputs.mask);
        const lengths = tf.tensor1d(inputs.lengths);
        const config = {
          beta: c.beta,
          labelSmoothing: c.labelSmoothing,
          lossType: c.lossType,
          ...(c.lossWeights === undefined ? {} : { lossWeights: c.lossWeights }),
        };
        const lossOf = (z: tf.Tensor) => {
          const [chosenLogps, rejectedLogps] = sequenceLogps(z as tf.Tensor3D, labels, mask);
          return dpoLoss(
            {
              chosenLogps,
              rejectedLogps,
              refChosenLogps: tf.tensor1d(inputs.refChosenLogps),
              refRejectedLogps: tf.tensor1d(inputs.refRejectedLogps),
              chosenLengths: lengths.slice(0, pairs),
              rejectedLengths: lengths.slice(pairs, pairs),
            },
            config,
          );
        };
        const out = lossOf(logits);
        expectClose('loss', out.loss, c.loss);
        const metrics = dpoStatsToMetrics(out.stats);
        expect(Object.keys(metrics).sort()).toEqual(Object.values(DPO_METRIC_NAMES).sort());
        for (const [metric, value] of Object.entries(c.metrics))
          expectClose(metric, metrics[metric] as number, value);
        expectClose('d loss / d logits', tf.grad((z: tf.Tensor) => lossOf(z).loss)(logits), c.gradLogits);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('logSigmoid is finite with the right gradient far into both tails', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-120, -30, -3, -0.5, 0, 0.5, 3, 30, 120]);
      const values = Array.from(x.dataSync(), (v) =>
        v < 0 ? v - Math.log1p(Math.exp(v)) : -Math.log1p(Math.exp(-v)),
      );
      const sigmoidOfMinus = Array.from(x.dataSync(), (v) => 1 / (1 + Math.exp(v)));
      expectClose('logSigmoid(x)', logSigmoid(x), values);
      expectClose(
        'd logSigmoid / dx = sigmoid(-x)',
        tf.grad((v: tf.Tensor) => tf.sum(logSigmoid(v)))(x),
        sigmoidOfMinus,
      );
    });
    const x = tf.tensor1d([-4, -1.2, 0.3, 2.5]);
    expectGradientsMatchNumerical((v) => logSigmoid(v), [x]);
    x.dispose();
  });

  it('differentiates under tf.variableGrads inside tf.tidy (the path a trainer takes)', () => {
    const before = tf.memory().numTensors;
    const chosen = tf.tidy(() => tf.variable(tf.tensor1d([-5, -2.5, -40])));
    const grads = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(
        () =>
          dpoLoss({
            chosenLogps: chosen as unknown as tf.Tensor1D,
            rejectedLogps: tf.tensor1d([-4, -3, 10]),
            refChosenLogps: tf.tensor1d([-4.5, -2, -3]),
            refRejectedLogps: tf.tensor1d([-4, -3.5, -2]),
          }).loss,
        [chosen],
      );
      return tf.keep(Object.values(g)[0] as tf.Tensor);
    });
    // d/dc of mean(-logsigmoid(beta * d)) = -beta * sigmoid(-beta * d) / pairs.
    const d = [-0.5 - 0, -0.5 - 0.5, -37 - 12];
    expectClose(
      'gradient',
      grads,
      d.map((v) => -0.1 / (1 + Math.exp(0.1 * v)) / 3),
    );
    tf.dispose([grads, chosen]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('asks for lengths under ipo and names bad inputs', () => {
    tf.tidy(() => {
      const logps = tf.tensor1d([-3, -4]);
      const input = {
        chosenLogps: logps,
        rejectedLogps: logps,
        refChosenLogps: logps,
        refRejectedLogps: logps,
      };
      expect(() => dpoLoss(input, { lossType: 'ipo' })).toThrow(/chosenLengths.*'ipo'/);
      expect(() => dpoLoss({ ...input, refChosenLogps: tf.tensor1d([1, 2, 3]) })).toThrow(/refChosenLogps/);
      expect(() => dpoLoss(input, { lossType: ['sigmoid', 'hinge'], lossWeights: [1] })).toThrow(
        /lossWeights/,
      );
      expect(() => dpoLoss(input, { beta: 0 })).toThrow(/beta/);
      expect(() => dpoLoss(input, { labelSmoothing: 0.5 })).toThrow(/labelSmoothing/);
      expect(dpoLoss(input).loss.dataSync()[0]).toBeCloseTo(Math.log(2), 6);
    });
  });
});
