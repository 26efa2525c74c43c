import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Metrics, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collatePairs } from '../src/collate';
import { pairwiseRewardLoss } from '../src/loss';
import { RewardTrainer } from '../src/trainer';
import {
  collectingTracker,
  tensorCountsOfTwoRounds,
  tinyRewardModel,
  tinyTokenizer,
  useTestBackend,
} from './helpers';

const logSigmoid = (x: number) => -Math.log1p(Math.exp(-x));
const quiet = { reportTo: ['none' as const], disableTqdm: true };

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'trl-reward-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pairwiseRewardLoss', () => {
  it('matches −logσ(r_c − r_r − m) + c·mean((r_c + r_r)²) and its gradient, by hand', () => {
    const chosen = tf.tensor1d([1, 0]);
    const rejected = tf.tensor1d([0, 0.5]);
    const margins = tf.tensor1d([0, 1]);
    const plain = -(logSigmoid(1) + logSigmoid(-1.5)) / 2;
    const centred = plain + (0.1 * ((1 + 0) ** 2 + (0 + 0.5) ** 2)) / 2;
    const out = pairwiseRewardLoss(chosen, rejected, margins);
    expect(out.loss.dataSync()[0]).toBeCloseTo(plain, 6);
    expect(out.accuracy.dataSync()[0]).toBe(0.5);
    expect(out.margin.dataSync()[0]).toBeCloseTo(0.25, 6);
    const withCentre = pairwiseRewardLoss(chosen, rejected, margins, 0.1);
    expect(withCentre.loss.dataSync()[0]).toBeCloseTo(centred, 6);
    // d/dr_c of the mean loss: −(1 − σ(d))/n + c·2·(r_c + r_r)/n
    const grad = tf.grad((c: tf.Tensor) => pairwiseRewardLoss(c as tf.Tensor1D, rejected, margins, 0.1).loss)(
      chosen,
    );
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected = [
      -(1 - sigmoid(1)) / 2 + (0.1 * 2 * 1) / 2,
      -(1 - sigmoid(-1.5)) / 2 + (0.1 * 2 * 0.5) / 2,
    ];
    for (const [index, value] of [...grad.dataSync()].entries())
      expect(value).toBeCloseTo(expected[index] as number, 6);
    tf.dispose([
      chosen,
      rejected,
      margins,
      out.loss,
      out.accuracy,
      out.margin,
      withCentre.loss,
      withCentre.accuracy,
      withCentre.margin,
      grad,
    ]);
  });

  it('pads chosen and rejected into one batch', () => {
    expect(collatePairs([{ chosen: [1, 2], rejected: [3], margin: 0.5 }], 9)).toEqual({
      inputIds: [
        [1, 2],
        [3, 9],
      ],
      attentionMask: [
        [1, 1],
        [1, 0],
      ],
      margins: [0.5],
    });
  });
});

const pairs = [
  { chosen: 'good answer', rejected: 'bad answer' },
  { chosen: 'a good one', rejected: 'a bad one' },
  { chosen: 'so good', rejected: 'so bad', margin: 0.5 },
  { chosen: [103, 111, 111, 100], rejected: [98, 97, 100] }, // "good" / "bad" as ids
];

describe('RewardTrainer', () => {
  it('learns to rank chosen above rejected: the loss falls and eval accuracy reaches 1', async () => {
    const model = tinyRewardModel(1);
    const { tracker, logged } = collectingTracker();
    const out = join(dir, 'falls');
    const trainer = new RewardTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: out,
        learningRate: 3e-3,
        maxSteps: 30,
        perDeviceTrainBatchSize: 4,
        loggingSteps: 5,
        evalStrategy: 'steps',
        evalSteps: 30,
        saveStrategy: 'no',
        centerRewardsCoefficient: 0.01,
      },
      trainDataset: pairs,
      evalDataset: pairs,
      tracker,
    });
    const before = trainer.evaluate();
    await trainer.train();
    const losses = logged.filter(([m]) => 'loss' in m).map(([m]) => m.loss as number);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) / 2);
    const after = logged.find(([m]) => 'eval_loss' in m)?.[0] as Metrics;
    expect(after.eval_loss).toBeLessThan(before.eval_loss as number);
    expect(after.eval_accuracy).toBe(1);
    expect(after.eval_margin).toBeGreaterThan(before.eval_margin as number);
    const [good, bad] = trainer.score(['good', 'bad']);
    expect(good).toBeGreaterThan(bad as number);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors']));
    model.dispose();
  });

  it('keeps the tensor count stable across training runs', async () => {
    const model = tinyRewardModel(4);
    const trainer = new RewardTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'leak'),
        maxSteps: 2,
        perDeviceTrainBatchSize: 2,
        saveStrategy: 'no',
      },
      trainDataset: pairs,
      evalDataset: pairs,
    });
    const { afterFirst, afterSecond } = await tensorCountsOfTwoRounds(async () => {
      await trainer.train();
      trainer.evaluate();
      trainer.score(['abc']);
    });
    expect(afterSecond).toBe(afterFirst);
    model.dispose();
  });

  it('rejects bad pairs and models with clear messages', () => {
    const model = tinyRewardModel(2);
    const tokenizer = tinyTokenizer();
    expect(() => new RewardTrainer({ model, tokenizer, trainDataset: [{ chosen: 'x' } as never] })).toThrow(
      /row 0 has no "rejected" text or token ids/,
    );
    expect(() => new RewardTrainer({ model, trainDataset: [{ chosen: 'x', rejected: 'y' }] })).toThrow(
      /no tokenizer/,
    );
    const pairs = [{ chosen: 'x', rejected: 'y' }];
    expect(
      () =>
        new RewardTrainer({
          model,
          tokenizer,
          args: { center_rewards_coefficient: 0.01 } as never,
          trainDataset: pairs,
        }),
    ).toThrow(
      /RewardTrainer: invalid config: center_rewards_coefficient: .*trl-ts spells it centerRewardsCoefficient/,
    );
    expect(
      () => new RewardTrainer({ model, tokenizer, args: { maxLenght: 8 } as never, trainDataset: pairs }),
    ).toThrow('RewardTrainer: invalid config: maxLenght: unknown option; did you mean maxLength?');
    expect(() => new RewardTrainer({ model, tokenizer, maxLength: 8, trainDataset: pairs } as never)).toThrow(
      /maxLength is a field of args; write args: \{ maxLength: … \}/,
    );
    expect(
      () => new RewardTrainer({ model, tokenizer, trainDataset: [{ chosen: [1, 999], rejected: [1] }] }),
    ).toThrow(/token ids in \[0, 258\)/);
    expect(
      () =>
        new RewardTrainer({
          model,
          tokenizer,
          trainDataset: [{ chosen: 'a', rejected: 'b', margin: Number.NaN }],
        }),
    ).toThrow(/margin must be a finite number/);
    expect(() => new RewardTrainer({ model, tokenizer, trainDataset: [] })).toThrow(/train dataset is empty/);
    expect(
      () =>
        new RewardTrainer({
          model,
          tokenizer,
          args: { maxLength: 3 },
          trainDataset: [{ chosen: 'long text', rejected: 'b' }],
        }),
    ).toThrow(/all 1 train pairs are longer than maxLength 3/);
    const kept = new RewardTrainer({
      model,
      tokenizer,
      args: { maxLength: 4 },
      trainDataset: [
        { chosen: 'long text', rejected: 'b' },
        { chosen: 'ok', rejected: 'no' },
      ],
    });
    expect(kept.datasetStats.train).toEqual({ rows: 2, examples: 1, tooLong: 1 });
    const twoLabels = tinyRewardModel(3, 2);
    expect(() => new RewardTrainer({ model: twoLabels, tokenizer, trainDataset: pairs })).toThrow(
      /needs numLabels 1/,
    );
    model.dispose();
    twoLabels.dispose();
  });
});
