import { tf } from '@trl/core';
import { beforeAll, expect, it } from 'vitest';
import { GRPOTrainer, type RewardFuncArgs, type Rollout, type RolloutFunction } from '../src/index';
import { tinyModel, tinyTokenizer, useTestBackend } from './helpers/tiny';

beforeAll(useTestBackend);

const TRL_METRICS = [
  'reward',
  'reward_std',
  'rewards/length/mean',
  'rewards/length/std',
  'frac_reward_zero_std',
  'entropy',
  'completions/mean_length',
  'completions/min_length',
  'completions/max_length',
  'completions/clipped_ratio',
  'completions/mean_terminated_length',
  'clip_ratio/low_mean',
  'clip_ratio/high_mean',
  'clip_ratio/region_mean',
  'num_tokens',
  'loss',
];

const length = ({ completionIds }: RewardFuncArgs) => completionIds.map((ids) => ids.length);

it("logs TRL's metric names, all finite; kl only with beta > 0", async () => {
  const model = tinyModel(2);
  const trainer = new GRPOTrainer({
    config: { numGenerations: 4, maxCompletionLength: 4 },
    model,
    tokenizer: tinyTokenizer(),
    rewardFuncs: [length],
  });
  const metrics = await trainer.step([[65, 66], [67]]);
  for (const name of TRL_METRICS) expect(Number.isFinite(metrics[name]), name).toBe(true);
  expect(metrics.kl).toBeUndefined();
  expect(metrics['completions/max_length']).toBeLessThanOrEqual(4);
  const again = await trainer.step([[65]]);
  expect(again.num_tokens).toBeGreaterThan(metrics.num_tokens as number);
  trainer.dispose();
  model.dispose();
});

it('passes dataset columns and rollout extras to reward functions; a custom rollout masks tool tokens', async () => {
  const model = tinyModel(2);
  const seen: RewardFuncArgs[] = [];
  const rollout: RolloutFunction = async ({ prompts, numGenerations }) => {
    const promptIds = prompts.flatMap((p) => Array.from({ length: numGenerations }, () => [...p]));
    const out: Rollout = {
      promptIds,
      completionIds: promptIds.map(() => [70, 71, 72]),
      completionMask: promptIds.map(() => [1, 0, 1]),
      truncated: promptIds.map(() => true),
      rewardKwargs: { tool: promptIds.map((_, i) => `t${i}`) },
    };
    return out;
  };
  const trainer = new GRPOTrainer({
    config: { numGenerations: 2, maxCompletionLength: 3, maskTruncatedCompletions: true },
    model,
    tokenizer: tinyTokenizer(),
    rollout,
    rewardFuncs: [
      (args) => {
        seen.push(args);
        return args.completionIds.map((_, i) => i);
      },
    ],
  });
  const before = tf.memory().numTensors;
  const metrics = await trainer.step([[65], [66]], { answer: ['x', 'y'] });
  expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2 * model.trainableVariables().length);
  expect(seen[0]?.answer).toEqual(['x', 'x', 'y', 'y']);
  expect(seen[0]?.tool).toEqual(['t0', 't1', 't2', 't3']);
  expect(seen[0]?.completions[0]).toBe('FGH');
  expect(metrics['completions/clipped_ratio']).toBe(1);
  expect(metrics['completions/mean_terminated_length']).toBe(0);
  // Every completion truncated and masked: nothing to learn from, the loss is 0.
  expect(metrics.loss).toBe(0);
  trainer.dispose();
  model.dispose();
});

it.each([
  ['grpo', 'token'],
  ['dr_grpo', 'token'],
  ['bnpo', 'sequence'],
  ['dapo', 'sequence'],
] as const)(
  'lossType %s with %s-level importance sampling gives a finite loss over two iterations',
  async (lossType, importanceSamplingLevel) => {
    const model = tinyModel(5);
    const trainer = new GRPOTrainer({
      config: {
        numGenerations: 3,
        maxCompletionLength: 4,
        lossType,
        importanceSamplingLevel,
        numIterations: 2,
        learningRate: 1e-2,
        epsilon: 0.1,
        epsilonHigh: 0.3,
        delta: 4,
      },
      model,
      tokenizer: tinyTokenizer(),
      rewardFuncs: [length],
    });
    const metrics = await trainer.step([[65, 66], [67]]);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    expect(Number.isFinite(metrics['clip_ratio/region_mean'])).toBe(true);
    expect(trainer.globalStep).toBe(2);
    trainer.dispose();
    model.dispose();
  },
);
