import { Rng, tf } from '@trl/core';
import { beforeAll, expect, it } from 'vitest';
import { PPOTrainer } from '../src/index';
import { tinyPolicy, tinyTokenizer, useTestBackend } from './helpers/tiny-model';

beforeAll(useTestBackend);

/** The token the reward asks for: byte 'a'. */
const CHOSEN = 97;

it('learns to emit a rewarded token: mean reward from below 0.2 to above 0.8, KL finite', async () => {
  const model = tinyPolicy(3, { width: 32 });
  const trainer = new PPOTrainer({
    config: {
      miniBatchSize: 8,
      learningRate: 2e-3,
      maxGradNorm: 1,
      initKlCoef: 0.01,
      adapKlCtrl: false,
      seed: 5,
    },
    model,
    tokenizer: tinyTokenizer(),
  });
  const prompts = new Rng(11);
  const batchSize = 32;
  const rewards: number[] = [];
  const kls: number[] = [];
  const before = tf.memory().numTensors;
  for (let step = 0; step < 50; step++) {
    const queries = Array.from({ length: batchSize }, () =>
      Array.from({ length: 1 + prompts.nextInt(3) }, () => 32 + prompts.nextInt(64)),
    );
    const responses = await trainer.generate(queries, { maxNewTokens: 6, returnPrompt: false, batchSize });
    // Reward: the share of response tokens that are the chosen one.
    const scores = responses.map(
      (response) => response.filter((id) => id === CHOSEN).length / response.length,
    );
    rewards.push(scores.reduce((sum, score) => sum + score, 0) / batchSize);
    const stats = await trainer.step(queries, responses, scores);
    kls.push(stats['objective/kl'] as number);
    // tfjs-node runs every op synchronously, so without a macrotask turn the worker could go over
    // vitest's fixed 60 s RPC timeout on a loaded machine while the test itself is fine.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  expect(mean(rewards.slice(0, 3))).toBeLessThan(0.2);
  expect(mean(rewards.slice(-3))).toBeGreaterThan(0.8);
  for (const kl of kls) expect(Number.isFinite(kl)).toBe(true);
  expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2 * model.trainableVariables().length);
  trainer.dispose();
  model.dispose();
});
