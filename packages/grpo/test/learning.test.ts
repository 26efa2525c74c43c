import { Rng, tf } from '@trl/core';
import { beforeAll, expect, it } from 'vitest';
import { GRPOTrainer, type RewardFuncArgs } from '../src/index';
import { tinyModel, tinyTokenizer, useTestBackend } from './helpers/tiny';

beforeAll(useTestBackend);

/** The rewarded token: byte 'a'. */
const CHOSEN = 97;

/** Share of completion tokens that are the chosen one. */
function chosenShare({ completionIds }: RewardFuncArgs): number[] {
  return completionIds.map((ids) =>
    ids.length === 0 ? 0 : ids.filter((id) => id === CHOSEN).length / ids.length,
  );
}

it('learns to emit a rewarded token on a tiny GPT-2: reward < 0.2 at first, > 0.9 after 40 steps', async () => {
  const model = tinyModel(3);
  const trainer = new GRPOTrainer({
    config: { numGenerations: 8, maxCompletionLength: 6, learningRate: 1e-2, seed: 5 },
    model,
    tokenizer: tinyTokenizer(),
    rewardFuncs: [chosenShare],
  });
  const prompts = new Rng(11);
  const rewards: number[] = [];
  let before = 0;
  for (let step = 0; step < 40; step++) {
    const batch = Array.from({ length: 4 }, () =>
      Array.from({ length: 1 + prompts.nextInt(3) }, () => 32 + prompts.nextInt(64)),
    );
    const metrics = await trainer.step(batch);
    rewards.push(metrics.reward as number);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    if (step === 1) before = tf.memory().numTensors;
    if (step > 1) expect(tf.memory().numTensors).toBe(before);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  console.log('grpo rewards', rewards.map((r) => r.toFixed(2)).join(' '));
  expect(mean(rewards.slice(0, 3))).toBeLessThan(0.2);
  expect(mean(rewards.slice(-3))).toBeGreaterThan(0.9);
  trainer.dispose();
  model.dispose();
}, 120_000);
