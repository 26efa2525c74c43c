import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeAdvantages,
  computeRewards,
  entropyFromLogits,
  type KLPenaltyKind,
  klPenalty,
  logprobsFromLogits,
  maskedMean,
  maskedVar,
  maskedWhiten,
  type PpoLossInput,
  ppoLoss,
} from '../src/rl/index';
import { useBackend } from './helpers/backends';

const B = 2;
const T = 4;
const V = 5;

/** Consistent, valid inputs; each test breaks one of them. */
function validInputs() {
  return {
    logits: tf.randomNormal([B, T, V], 0, 1, 'float32', 1) as tf.Tensor3D,
    labels: tf.tensor2d(
      [
        [0, 1, 2, 3],
        [4, 3, 2, 1],
      ],
      undefined,
      'int32',
    ),
    logprobs: tf.randomNormal([B, T], -2, 0.5, 'float32', 2) as tf.Tensor2D,
    refLogprobs: tf.randomNormal([B, T], -2, 0.5, 'float32', 3) as tf.Tensor2D,
    values: tf.randomNormal([B, T], 0, 1, 'float32', 4) as tf.Tensor2D,
    mask: tf.tensor2d(
      [
        [0, 1, 1, 1],
        [1, 1, 0, 0],
      ],
      undefined,
      'float32',
    ),
    scores: tf.tensor1d([0.5, -1], 'float32'),
  };
}

describe('RL math input validation', () => {
  let x: ReturnType<typeof validInputs>;
  let ppoInput: PpoLossInput;
  beforeAll(async () => {
    await useBackend('cpu');
    x = validInputs();
    ppoInput = {
      oldLogprobs: x.refLogprobs,
      values: x.values,
      logits: x.logits,
      vpreds: x.values,
      logprobs: x.logprobs,
      mask: x.mask,
      advantages: x.values,
      returns: x.values,
    };
  });
  afterAll(() => tf.dispose(Object.values(x)));

  /** Runs `f` in a tidy and expects an Error matching `message`, leaving no tensor behind. */
  function expectError(f: () => unknown, message: RegExp): void {
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => void f())).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  }

  it('logprobsFromLogits names wrong dtypes, ranks, shapes and out-of-vocabulary labels', () => {
    expectError(
      () => logprobsFromLogits(x.logits, tf.cast(x.labels, 'float32') as tf.Tensor2D),
      /logprobsFromLogits: `labels` must have dtype int32, got float32/,
    );
    expectError(
      () => logprobsFromLogits(x.logprobs as unknown as tf.Tensor3D, x.labels),
      /`logits` must have rank 3, got shape \[2, 4\]/,
    );
    expectError(
      () => logprobsFromLogits(x.logits, tf.zeros([B, T + 1], 'int32') as tf.Tensor2D),
      /`labels` has shape \[2, 5\] but `logits` has shape \[2, 4, 5\]/,
    );
    expectError(
      () => logprobsFromLogits(x.logits, tf.fill([B, T], V, 'int32') as tf.Tensor2D),
      /`labels` holds token id 5 at flat index 0, outside the vocabulary \[0, 5\)/,
    );
    expectError(
      () => logprobsFromLogits([[[1]]] as unknown as tf.Tensor3D, x.labels),
      /`logits` must be a tf.Tensor, got object/,
    );
    expectError(
      () => entropyFromLogits(tf.cast(x.logits, 'int32') as tf.Tensor3D),
      /entropyFromLogits: `logits` must have dtype float32/,
    );
  });

  it('masked statistics name mismatched masks and refuse empty or too-small masks', () => {
    expectError(
      () => maskedMean(x.values, tf.ones([B, T + 1])),
      /maskedMean: `mask` has shape \[2, 5\] but `values` has shape \[2, 4\]/,
    );
    expectError(() => maskedMean(x.values, tf.zerosLike(x.mask)), /maskedMean: `mask` has no 1s/);
    expectError(
      () =>
        maskedMean(
          x.values,
          tf.tensor2d([
            [1, 1, 1, 1],
            [0, 0, 0, 0],
          ]),
          1,
        ),
      /in some slice along axis 1/,
    );
    expectError(() => maskedMean(x.values, x.mask, 2), /`axis` must be an integer in \[-2, 2\), got 2/);
    expectError(
      () =>
        maskedMean(
          x.values,
          tf.tensor2d([
            ['a', 'b', 'c', 'd'],
            ['a', 'b', 'c', 'd'],
          ]),
        ),
      /`mask` must have dtype float32 or int32 or bool/,
    );
    expectError(
      () =>
        maskedVar(
          x.values,
          tf.tensor2d([
            [0, 1, 0, 0],
            [0, 0, 0, 0],
          ]),
        ),
      /maskedVar: `mask` sums to 1; the unbiased variance .* needs at least 2/,
    );
    expectError(() => maskedVar(x.values, tf.zerosLike(x.mask), false), /maskedVar: `mask` sums to 0/);
    expectError(
      () =>
        maskedWhiten(
          x.values,
          tf.tensor2d([
            [0, 1, 0, 0],
            [0, 0, 0, 0],
          ]),
        ),
      /maskedWhiten: `mask` sums to 1/,
    );
  });

  it('masked statistics accept int32 and bool masks with the same result as float32', () => {
    const [fromFloat, fromInt, fromBool, biasedOne] = tf.tidy(() => [
      maskedVar(x.values, x.mask).dataSync()[0],
      maskedVar(x.values, tf.cast(x.mask, 'int32')).dataSync()[0],
      maskedVar(x.values, tf.cast(x.mask, 'bool')).dataSync()[0],
      maskedVar(
        x.values,
        tf.tensor2d([
          [0, 1, 0, 0],
          [0, 0, 0, 0],
        ]),
        false,
      ).dataSync()[0],
    ]);
    expect(fromInt).toBe(fromFloat);
    expect(fromBool).toBe(fromFloat);
    expect(biasedOne).toBe(0);
  });

  it('klPenalty names mismatched shapes, unknown kinds and missing full distributions', () => {
    expectError(
      () => klPenalty(x.logprobs, tf.zeros([B, T + 1])),
      /klPenalty: `refLogprob` has shape \[2, 5\] but `logprob` has shape \[2, 4\]/,
    );
    expectError(
      () => klPenalty(x.logprobs, x.refLogprobs, 'reverse' as KLPenaltyKind),
      /`kind` must be one of kl, abs, mse, full, got reverse/,
    );
    expectError(() => klPenalty(x.logprobs, x.refLogprobs, 'full'), /kind 'full' needs whole distributions/);
    expectError(
      () => klPenalty(x.logprobs, x.refLogprobs, 'full', x.logits),
      /`refLogits` must be a tf.Tensor, got undefined/,
    );
  });

  it('computeRewards names bad scores, masks, coefficients and log-prob shapes', () => {
    const rewards = (
      overrides: Partial<ReturnType<typeof validInputs>>,
      klCoef = 0.2,
      kind: KLPenaltyKind = 'kl',
    ) => {
      const y = { ...x, ...overrides };
      return computeRewards(y.scores, y.logprobs, y.refLogprobs, y.mask, klCoef, kind);
    };
    expectError(
      () => rewards({ scores: tf.tensor1d([0.5, Number.NaN]) }),
      /computeRewards: `scores` holds NaN at flat index 1/,
    );
    expectError(
      () => rewards({ scores: tf.tensor1d([0.5, 1, 2]) }),
      /`scores` has 3 entries but `masks` has 2 rows/,
    );
    expectError(
      () => rewards({ scores: tf.tensor2d([[0.5], [1]]) as unknown as tf.Tensor1D }),
      /`scores` must have rank 1, got shape \[2, 1\]/,
    );
    expectError(
      () => rewards({ scores: tf.tensor1d([1, 2], 'int32') }),
      /`scores` must have dtype float32, got int32/,
    );
    expectError(
      () =>
        rewards({
          mask: tf.tensor2d([
            [0, 1, 1, 1],
            [0, 0, 0, 0],
          ]),
        }),
      /`masks` row 1 has no 1s/,
    );
    expectError(
      () => rewards({ mask: tf.ones([B, T + 1]) as tf.Tensor2D }),
      /`logprobs` has shape \[2, 4\] but `masks` has shape \[2, 5\]/,
    );
    expectError(
      () => rewards({ refLogprobs: tf.zeros([B, T + 1]) as tf.Tensor2D }),
      /`refLogprobs` has shape \[2, 5\] but `logprobs` has shape \[2, 4\]/,
    );
    expectError(() => rewards({}, Number.POSITIVE_INFINITY), /`klCoef` must be a finite number/);
    expectError(() => rewards({}, 0.2, 'full'), /`logprobs` must have rank 3, got shape \[2, 4\]/);
  });

  it('computeAdvantages names bad shapes, options and masks too small to whiten', () => {
    expectError(
      () => computeAdvantages(x.values, tf.zeros([B, T + 1]) as tf.Tensor2D, x.mask),
      /computeAdvantages: `rewards` has shape \[2, 5\] but `values` has shape \[2, 4\]/,
    );
    expectError(
      () => computeAdvantages(x.values, x.values, x.mask, { lam: 1.5 }),
      /computeAdvantages: invalid `options`:[\s\S]*lam/,
    );
    expectError(
      () => computeAdvantages(x.values, x.values, x.mask, { gamma: Number.NaN }),
      /invalid `options`:[\s\S]*gamma/,
    );
    const single = tf.tensor2d([
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ]);
    expectError(() => computeAdvantages(x.values, x.values, single), /`mask` sums to 1; whitening/);
    expectError(
      () => computeAdvantages(x.values, x.values, tf.zerosLike(x.mask), { whiten: false }),
      /`mask` sums to 0; it selects no response token/,
    );
    const raw = tf.tidy(
      () => computeAdvantages(x.values, x.values, single, { whiten: false }).advantages.shape,
    );
    expect(raw).toEqual([B, T]);
  });

  it('ppoLoss names each mismatched tensor, bad configs and empty masks', () => {
    expectError(
      () => ppoLoss({ ...ppoInput, returns: tf.zeros([B, T + 1]) as tf.Tensor2D }),
      /ppoLoss: `returns` has shape \[2, 5\] but `logprobs` has shape \[2, 4\]/,
    );
    expectError(
      () => ppoLoss({ ...ppoInput, advantages: tf.zeros([B, T], 'int32') as tf.Tensor2D }),
      /ppoLoss: `advantages` must have dtype float32, got int32/,
    );
    expectError(
      () => ppoLoss({ ...ppoInput, logits: tf.zeros([B, T + 1, V]) as tf.Tensor3D }),
      /`logits` has shape \[2, 5, 5\] but `logprobs` has shape \[2, 4\]/,
    );
    expectError(() => ppoLoss({ ...ppoInput, mask: tf.zerosLike(x.mask) }), /ppoLoss: `mask` sums to 0/);
    expectError(
      () => ppoLoss({ ...ppoInput, vpreds: undefined as unknown as tf.Tensor2D }),
      /`vpreds` must be a tf.Tensor, got undefined/,
    );
    expectError(() => ppoLoss(ppoInput, { cliprange: -0.1 }), /ppoLoss: invalid `config`:[\s\S]*cliprange/);
  });

  it('refuses disposed tensors by name', () => {
    const gone = tf.zeros([B, T]);
    gone.dispose();
    expectError(() => maskedMean(gone, x.mask), /maskedMean: `values` was already disposed/);
  });
});
