import { TrlConfigError, TrlError } from '@trl/core';
import { beforeAll, expect, it } from 'vitest';
import { GRPOTrainer, parseGrpoConfig } from '../src/index';
import { tinyModel, tinyTokenizer, useTestBackend } from './helpers/tiny';

beforeAll(useTestBackend);

it("has TRL 1.13's defaults", () => {
  expect(parseGrpoConfig()).toMatchObject({
    numGenerations: 8,
    maxCompletionLength: 512,
    temperature: 1,
    topP: 1,
    topK: 0,
    beta: 0,
    epsilon: 0.2,
    lossType: 'dapo',
    scaleRewards: 'group',
    numIterations: 1,
    maskTruncatedCompletions: false,
    importanceSamplingLevel: 'token',
    learningRate: 1e-6,
  });
});

it('rejects unknown keys, snake_case names and bad values with TrlConfigError naming the field', () => {
  expect(() => parseGrpoConfig({ num_generations: 4 } as never)).toThrow(TrlConfigError);
  expect(() => parseGrpoConfig({ num_generations: 4 } as never)).toThrow(/numGenerations/);
  expect(() => parseGrpoConfig({ numGeneratons: 4 } as never)).toThrow(/numGeneratons/);
  expect(() => parseGrpoConfig({ lossType: 'ppo' as never })).toThrow(/lossType/);
  expect(() => parseGrpoConfig({ scaleRewards: 'max' as never })).toThrow(/scaleRewards/);
  expect(() => parseGrpoConfig({ numGenerations: 1 })).toThrow(/numGenerations/);
});

it('rejects mismatched reward weights, bad reward outputs and bad prompts', async () => {
  const model = tinyModel(1);
  const tokenizer = tinyTokenizer();
  expect(
    () => new GRPOTrainer({ config: { rewardWeights: [1, 2] }, model, tokenizer, rewardFuncs: [() => []] }),
  ).toThrow(/rewardWeights/);
  expect(() => new GRPOTrainer({ model, tokenizer, rewardFuncs: [] })).toThrow(TrlError);
  const trainer = new GRPOTrainer({
    config: { numGenerations: 2, maxCompletionLength: 2 },
    model,
    tokenizer,
    rewardFuncs: [
      function wrong() {
        return [1];
      },
    ],
  });
  await expect(trainer.step([[65]])).rejects.toThrow(/"wrong" returned 1 scores/);
  await expect(trainer.step([])).rejects.toThrow(/prompts/);
  await expect(trainer.step([[65]], { answer: [1, 2] })).rejects.toThrow(/column "answer"/);
  trainer.dispose();
  model.dispose();
});
