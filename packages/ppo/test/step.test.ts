import { type CausalLMInput, createLrSchedule, TrlConfigError, tf } from '@trl/core';
import { createReferenceModel } from '@trl/models';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PPO_STAT_KEYS, PPOTrainer, type PPOTrainerOptions, parsePPOConfig } from '../src/index';
import { toyBatch } from './helpers/batch';
import { tinyPolicy, tinyTokenizer, useTestBackend } from './helpers/tiny-model';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function makeTrainer(config: PPOTrainerOptions['config'] = {}, extra: Partial<PPOTrainerOptions> = {}) {
  const model = tinyPolicy(1);
  const trainer = new PPOTrainer({
    config: { miniBatchSize: 2, learningRate: 1e-3, seed: 7, ...config },
    model,
    tokenizer: tinyTokenizer(),
    ...extra,
  });
  cleanups.push(() => {
    trainer.dispose();
    model.dispose();
  });
  return { model, trainer };
}

function weights(trainer: PPOTrainer): Float32Array[] {
  return trainer.model
    .trainableVariables()
    .map((parameter) => Float32Array.from(parameter.variable.dataSync()));
}

beforeAll(useTestBackend);

describe('PPOTrainer.step', () => {
  it('returns every TRL stat key (plus the skip counters) as a finite number', async () => {
    const { trainer } = makeTrainer();
    const { queries, responses, scores } = toyBatch(4);
    const stats = await trainer.step(queries, responses, scores);
    expect(Object.keys(stats).sort()).toEqual([...PPO_STAT_KEYS].sort());
    for (const key of PPO_STAT_KEYS) expect(Number.isFinite(stats[key]), key).toBe(true);
    expect(stats['objective/kl_coef']).toBe(0.2);
    expect(stats['ppo/learning_rate']).toBe(1e-3);
    expect(stats['ppo/skipped_batches']).toBe(0);
    expect(trainer.stepCount).toBe(1);
  });

  it('regression: the first two steps of a fixed tiny setup reproduce recorded stats', async () => {
    const { trainer } = makeTrainer({
      miniBatchSize: 2,
      gradientAccumulationSteps: 2,
      ppoEpochs: 2,
      maxGradNorm: 1,
    });
    const { queries, responses, scores } = toyBatch(6, 11);
    const first = await trainer.step(queries, responses, scores);
    const second = await trainer.step(queries, responses, scores);
    const keys = [
      'objective/kl',
      'objective/entropy',
      'ppo/loss/total',
      'ppo/policy/ratio',
      'ppo/val/error',
      'ppo/returns/mean',
    ] as const;
    const observed = [first, second].map((stats) => Object.fromEntries(keys.map((key) => [key, stats[key]])));
    expect(observed).toEqual(
      REGRESSION.map((row) =>
        Object.fromEntries(keys.map((key) => [key, expect.closeTo(row[key] as number, 4)])),
      ),
    );
    // The first step starts at the reference: no KL, ratio 1 in the first minibatch.
    expect(first['objective/kl']).toBe(0);
    expect(second['objective/kl_coef']).toBeLessThan(0.2); // the KL stayed below target: the coefficient shrank
  });

  it('keeps tf.memory().numTensors constant across steps', async () => {
    const { trainer } = makeTrainer({ gradientAccumulationSteps: 2, maxGradNorm: 0.5 });
    const { queries, responses, scores } = toyBatch(5);
    await trainer.step(queries, responses, scores);
    const before = tf.memory().numTensors;
    await trainer.step(queries, responses, scores);
    await trainer.step(
      queries,
      responses,
      scores,
      responses.map((r) => r.map((_, k) => (k === 0 ? 1 : k % 2))),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts any batch size: 1, and sizes that do not divide into minibatches', async () => {
    const { trainer } = makeTrainer({ miniBatchSize: 4, gradientAccumulationSteps: 3, batchSize: 256 });
    for (const size of [1, 3, 7]) {
      const { queries, responses, scores } = toyBatch(size, size);
      const stats = await trainer.step(queries, responses, scores);
      for (const key of PPO_STAT_KEYS)
        expect(Number.isFinite(stats[key]), `${key} at batch ${size}`).toBe(true);
    }
    const single = await trainer.step([[65]], [[66]], [1]);
    expect(single['ppo/std_scores']).toBe(0);
    expect(single['tokens/responses_len_std']).toBe(0);
  });

  it('response masks line up with ragged rows: masked trailing tool output trains exactly like no output (TRL #1717)', async () => {
    const queries = [[65, 66, 67, 68], [69], [70, 71]];
    const modelTokens = [[72, 73], [74], [75, 76, 77]];
    const toolOutput = [[90, 91, 92], [93, 94], [95]];
    const scores = [0.5, -1, 1];
    const withTool = makeTrainer({ miniBatchSize: 3 });
    const without = makeTrainer({ miniBatchSize: 3 });
    const a = await withTool.trainer.step(
      queries,
      modelTokens.map((tokens, index) => [...tokens, ...(toolOutput[index] as number[])]),
      scores,
      modelTokens.map((tokens, index) => [
        ...tokens.map(() => 1),
        ...(toolOutput[index] as number[]).map(() => 0),
      ]),
    );
    const b = await without.trainer.step(queries, modelTokens, scores);
    for (const key of [
      'objective/kl',
      'objective/entropy',
      'ppo/loss/total',
      'ppo/returns/mean',
      'ppo/val/error',
    ] as const) {
      expect(a[key], key).toBeCloseTo(b[key], 5);
    }
    const [wa, wb] = [weights(withTool.trainer), weights(without.trainer)];
    for (const [index, values] of wa.entries()) {
      const other = wb[index] as Float32Array;
      const worst = values.reduce(
        (max, value, k) => Math.max(max, Math.abs(value - (other[k] as number))),
        0,
      );
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('feeds the KL controller the actual number of samples', async () => {
    const { trainer } = makeTrainer({ horizon: 10 });
    const { queries, responses, scores } = toyBatch(3);
    const stats = await trainer.step(queries, responses, scores);
    const error = Math.min(0.2, Math.max(-0.2, stats['objective/kl'] / 6 - 1));
    expect(trainer.klController.value).toBeCloseTo(0.2 * (1 + (error * 3) / 10), 10);
  });

  it('a reference from createReferenceModel gives the same first step as the built-in snapshot', async () => {
    const { queries, responses, scores } = toyBatch(4);
    const snapshot = makeTrainer();
    const model = tinyPolicy(1);
    const reference = createReferenceModel(model);
    const explicit = makeTrainer({}, { model, refModel: reference });
    cleanups.push(() => reference.dispose());
    const a = await snapshot.trainer.step(queries, responses, scores);
    const b = await explicit.trainer.step(queries, responses, scores);
    const a2 = await snapshot.trainer.step(queries, responses, scores);
    const b2 = await explicit.trainer.step(queries, responses, scores);
    for (const key of ['objective/kl', 'ppo/loss/total', 'ppo/val/error'] as const) {
      expect(b[key]).toBeCloseTo(a[key], 5);
      expect(b2[key]).toBeCloseTo(a2[key], 5);
    }
    expect(a2['objective/kl']).not.toBe(0);
  });

  it('skips (and counts) minibatches whose mean ratio exceeds ratioThreshold, leaving the weights alone', async () => {
    const { trainer } = makeTrainer({ ratioThreshold: 0.5, ppoEpochs: 2 });
    const before = weights(trainer);
    const { queries, responses, scores } = toyBatch(4);
    const stats = await trainer.step(queries, responses, scores);
    expect(stats['ppo/skipped_batches']).toBe(4); // 2 minibatches x 2 epochs
    expect(stats['ppo/non_finite_batches']).toBe(0);
    expect(stats['ppo/loss/total']).toBe(0); // TRL zeroes the reported losses of a skipped batch
    expect(weights(trainer)).toEqual(before);
    expect(trainer.skippedBatches).toBe(4);
  });

  it('skips a NaN loss without touching the parameters and reports it', async () => {
    const { model, trainer } = makeTrainer();
    model.headBias.assign(tf.tensor1d([Number.NaN]));
    const before = weights(trainer);
    const { queries, responses, scores } = toyBatch(4);
    const stats = await trainer.step(queries, responses, scores);
    expect(stats['ppo/non_finite_batches']).toBe(8);
    expect(stats['ppo/skipped_batches']).toBe(8);
    const after = weights(trainer);
    for (const [index, values] of after.entries()) {
      expect(Array.from(values)).toEqual(Array.from(before[index] as Float32Array));
    }
  });

  it('stops the epochs early once policykl exceeds 1.5 x targetKl', async () => {
    const { trainer } = makeTrainer({
      earlyStopping: true,
      targetKl: 1e-9,
      learningRate: 1e-2,
      ppoEpochs: 4,
    });
    const { queries, responses, scores } = toyBatch(4);
    const stats = await trainer.step(queries, responses, scores);
    expect(stats['ppo/early_stopped']).toBe(1);
    expect(stats['ppo/policy/policykl']).toBeGreaterThan(1.5e-9);
    expect(trainer.optimizer.stepCount).toBeLessThan(8); // fewer than 4 epochs x 2 minibatches
  });

  it('takes the learning rate from lrScheduler before each step', async () => {
    const schedule = createLrSchedule({ kind: 'linear', baseLr: 1e-3, totalSteps: 4 });
    const { trainer } = makeTrainer({}, { lrScheduler: schedule });
    const { queries, responses, scores } = toyBatch(2);
    const rates: number[] = [];
    for (let step = 0; step < 3; step++)
      rates.push((await trainer.step(queries, responses, scores))['ppo/learning_rate']);
    expect(rates).toEqual([1e-3, 7.5e-4, 5e-4]);
  });

  it('scales, normalises and clips scores as TRL (ppo/mean_scores reports the processed scores)', async () => {
    const { trainer } = makeTrainer({ useScoreScaling: true, useScoreNorm: true, scoreClip: 0.5 });
    const stats = await trainer.step([[65], [66], [67]], [[68], [69], [70]], [1, 2, 6]);
    // running mean 3, running std sqrt(7): (-2, -1, 3) / sqrt(7) = (-0.76, -0.38, 1.13), clipped to ±0.5
    const expected = [-0.5, -1 / Math.sqrt(7), 0.5];
    expect(stats['ppo/mean_scores']).toBeCloseTo(expected.reduce((a, b) => a + b) / 3, 5);
    const single = makeTrainer({ useScoreScaling: true });
    const lone = await single.trainer.step([[65]], [[66]], [4]);
    expect(lone['ppo/mean_scores']).toBeCloseTo(4, 5); // a single score has no std: left unscaled, not NaN
  });
});

describe('PPOTrainer.step options', () => {
  it("supports klPenalty 'full' (whole-vocabulary KL, zero while the policy equals the reference)", async () => {
    const { trainer } = makeTrainer({ klPenalty: 'full' });
    const { queries, responses, scores } = toyBatch(3);
    const first = await trainer.step(queries, responses, scores);
    expect(first['ppo/mean_non_score_reward']).toBe(0);
    const second = await trainer.step(queries, responses, scores);
    // KL(policy || ref) >= 0 per token, so the penalty part of the reward is negative once they differ.
    expect(second['ppo/mean_non_score_reward']).toBeLessThan(0);
  });

  it('logs every step to the tracker under the step number', async () => {
    const logged: { metrics: Record<string, number>; step: number }[] = [];
    const tracker = {
      log: (metrics: Record<string, number>, step: number) => {
        logged.push({ metrics, step });
      },
      flush: () => undefined,
      close: () => undefined,
    };
    const { trainer } = makeTrainer({}, { tracker });
    const { queries, responses, scores } = toyBatch(2);
    const stats = await trainer.step(queries, responses, scores);
    await trainer.step(queries, responses, scores);
    expect(logged.map((entry) => entry.step)).toEqual([1, 2]);
    expect(logged[0]?.metrics).toEqual(stats);
  });
});

describe('PPOTrainer.step bad input', () => {
  it('names the argument and the fix', async () => {
    const { trainer } = makeTrainer();
    await expect(trainer.step([[1], [2]], [[3]], [0, 0])).rejects.toThrow(
      /`responses` has 1 entries but `queries` has 2/,
    );
    await expect(trainer.step([[1]], [[3]], [0, 1])).rejects.toThrow(/`scores` has 2 entries/);
    await expect(trainer.step([], [], [])).rejects.toThrow(/`queries` is empty/);
    await expect(trainer.step([[1]], [[]], [0])).rejects.toThrow(/`responses\[0\]` is empty/);
    await expect(trainer.step([[]], [[1]], [0])).rejects.toThrow(/`queries\[0\]` is empty/);
    await expect(trainer.step([[1]], [[2, 3]], [0], [[1]])).rejects.toThrow(
      /`responseMasks\[0\]` has 1 entries but `responses\[0\]` has 2 tokens/,
    );
    await expect(trainer.step([[1]], [[2, 3]], [0], [[0, 0]])).rejects.toThrow(/has no 1/);
    await expect(trainer.step([[1]], [[2, 3]], [0], [[1, 2]])).rejects.toThrow(/must be 0 or 1/);
    await expect(trainer.step([[1]], [[2]], [Number.NaN])).rejects.toThrow(/`scores\[0\]` is NaN/);
    await expect(trainer.step([[1]], [[9999]], [0])).rejects.toThrow(/`responses\[0\]\[0\]` is 9999/);
    await expect(trainer.step([[1]], [Array.from({ length: 80 }, () => 5)], [0])).rejects.toThrow(
      /more than the model's 64 positions/,
    );
    expect(trainer.stepCount).toBe(0);
  });

  it('accepts int32 tensors as token rows', async () => {
    const { trainer } = makeTrainer();
    const query = tf.tensor1d([65, 66], 'int32');
    const response = tf.tensor1d([67], 'int32');
    const stats = await trainer.step([query], [response], [1]);
    expect(stats['tokens/queries_len_mean']).toBe(2);
    tf.dispose([query, response]);
    await expect(trainer.step([tf.tensor1d([1.5])], [[2]], [0])).rejects.toThrow(/1-D int32 tensor/);
  });

  it('refuses a model without a value head, of another spec version, or a missing tokenizer', async () => {
    const model = tinyPolicy(1);
    cleanups.push(() => model.dispose());
    const tokenizer = tinyTokenizer();
    const foreign = Object.assign(Object.create(model), { specificationVersion: 'v0' });
    expect(() => new PPOTrainer({ model: foreign, tokenizer })).toThrow(/spec v0.*needs v1/);
    expect(() => new PPOTrainer({ model, tokenizer: undefined as never })).toThrow(
      /`tokenizer` must be a Tokenizer/,
    );
    const withoutValues = Object.assign(Object.create(model), {
      forward: (input: CausalLMInput) => model.backbone.forward(input),
    });
    const headless = new PPOTrainer({ model: withoutValues, tokenizer, refModel: model.backbone });
    await expect(headless.step([[1]], [[2]], [0])).rejects.toThrow(/needs a value head/);
    headless.dispose();
  });

  it('rejects options outside config by name, pointing PPO settings into config', () => {
    expect(() => makeTrainer({}, { learningRate: 1 } as never)).toThrow(/PPOTrainer: .*learningRate.*config/);
    expect(() => makeTrainer({}, { refModle: undefined } as never)).toThrow(
      /refModle.*did you mean refModel/,
    );
  });

  it('rejects an invalid config field by name', () => {
    expect(() => makeTrainer({ klPenalty: 'kld' as 'kl' })).toThrow(/klPenalty/);
    expect(() => makeTrainer({ miniBatchSize: 0 })).toThrow(/miniBatchSize/);
  });

  it('rejects unknown config keys instead of ignoring them: typos, TRL snake_case, left-out TRL fields', () => {
    expect(() => makeTrainer({ learningRat: 1 } as never)).toThrow(
      'PPOConfig: invalid config: learningRat: unknown option; did you mean learningRate?',
    );
    expect(() => makeTrainer({ mini_batch_size: 64 } as never)).toThrow(
      "PPOConfig: invalid config: mini_batch_size: unknown option: that is TRL's Python spelling; trl-ts spells it miniBatchSize",
    );
    expect(() => makeTrainer({ log_with: 'wandb' } as never)).toThrow(
      /log_with: unknown option; .*pass a Tracker/,
    );
    expect(() => makeTrainer({ forward_batch_size: 8 } as never)).toThrow(/use miniBatchSize/);
    try {
      parsePPOConfig({ ppo_epochs: 2, gama: 0.9 } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrlConfigError);
      const { code, field, issues } = error as TrlConfigError;
      expect([code, field]).toEqual(['snake-case-option', 'ppo_epochs']);
      expect(issues.map((issue) => issue.suggestion)).toEqual(['ppoEpochs', 'gamma']);
    }
  });
});

/** Recorded from this implementation (wasm backend); guards against silent changes of the algorithm. */
const REGRESSION: Record<string, number>[] = [
  {
    'objective/kl': 0,
    'objective/entropy': 16.76005212465922,
    'ppo/loss/total': 0.14019724602500597,
    'ppo/policy/ratio': 0.9741720060507456,
    'ppo/val/error': 0.4912419691681862,
    'ppo/returns/mean': -0.13238810189068317,
  },
  {
    'objective/kl': -0.0696261723836263,
    'objective/entropy': 16.829678297042847,
    'ppo/loss/total': -0.06899047394593556,
    'ppo/policy/ratio': 1.001456211010615,
    'ppo/val/error': 0.20101399098833403,
    'ppo/returns/mean': 0.04291481152176857,
  },
];
