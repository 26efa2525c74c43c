import { tf } from '@trl/core';
import { tinyLlama } from '@trl/test-kit';
import { beforeAll, expect, it } from 'vitest';
import { GRPOTrainer, type RewardFuncArgs } from '../src/index';
import { tinyTokenizer, useTestBackend } from './helpers/tiny';

beforeAll(useTestBackend);

const short = ({ completionIds }: RewardFuncArgs) => completionIds.map((ids) => -ids.length);
// Returns null for every other completion: TRL treats that as "not scored" (NaN), not as 0.
const sometimes = ({ completionIds }: RewardFuncArgs) => completionIds.map((_, i) => (i % 2 ? null : 1));

it('trains a tiny Llama with beta > 0 (snapshot reference), two iterations and two reward functions', async () => {
  const model = tinyLlama(4);
  const trainer = new GRPOTrainer({
    config: {
      numGenerations: 4,
      maxCompletionLength: 5,
      beta: 0.04,
      numIterations: 2,
      lossType: 'grpo',
      learningRate: 1e-3,
      rewardWeights: [1, 0.5],
    },
    model,
    tokenizer: tinyTokenizer(),
    rewardFuncs: [short, { name: 'sometimes', func: sometimes }],
  });
  const first = await trainer.step([[72, 105], [33]]);
  const before = tf.memory().numTensors;
  const second = await trainer.step([[72, 105], [33]]);
  expect(tf.memory().numTensors).toBe(before);
  expect(trainer.globalStep).toBe(4);
  // The reference is the starting policy: no KL on the first iteration's forward, some after updates.
  expect(Number.isFinite(first.kl)).toBe(true);
  expect(second.kl).toBeGreaterThan(0);
  expect(Number.isFinite(second.loss)).toBe(true);
  expect(second['rewards/sometimes/mean']).toBe(1);
  expect(second['rewards/short/mean']).toBeLessThan(0);
  trainer.dispose();
  model.dispose();
});
