import { join } from 'node:path';
import { tf } from '@trl/core';
import { AutoModelForCausalLMWithValueHead, Gpt2WithValueHead, type LlamaForCausalLM } from '@trl/models';
import { tinyLlama } from '@trl/test-kit';
import { scratchDir } from '@trl/test-kit/scratch';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PPO_STAT_KEYS, PPOTrainer } from '../src/index';
import { toyBatch } from './helpers/batch';
import { tinyTokenizer, useTestBackend } from './helpers/tiny-model';

const dir = scratchDir('trl-ppo-llama-');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
beforeAll(useTestBackend);

/** PPO on a tiny Qwen2-layout model (GQA, q/k/v biases) with TRL's value head. */
function llamaTrainer(seed: number) {
  const model = new Gpt2WithValueHead<LlamaForCausalLM>(tinyLlama(seed), {
    seed: seed + 1,
    summaryDropoutProb: 0,
  });
  const trainer = new PPOTrainer({
    config: { miniBatchSize: 2, learningRate: 1e-3, seed: 7 },
    model,
    tokenizer: tinyTokenizer(),
  });
  cleanups.push(() => {
    trainer.dispose();
    model.dispose();
  });
  return { model, trainer };
}

describe('PPOTrainer on a Llama-family policy', () => {
  it('generates, steps with finite TRL stats, moves the weights and keeps numTensors stable', async () => {
    const { model, trainer } = llamaTrainer(1);
    const queries = [[104, 105], [116, 104, 101], [97]];
    const responses = await trainer.generate(queries, { maxNewTokens: 5, returnPrompt: false });
    expect(responses.map((r) => r.length)).toEqual(responses.map((r) => Math.min(r.length, 5)));
    expect(responses.every((r) => r.length > 0 && r.every((id) => id >= 0 && id < 258))).toBe(true);

    const before = model.trainableVariables().map((p) => Float32Array.from(p.variable.dataSync()));
    const scores = [1, -0.5, 0.25];
    const stats = await trainer.step(queries, responses, scores);
    for (const key of PPO_STAT_KEYS) expect(Number.isFinite(stats[key]), key).toBe(true);
    const after = model.trainableVariables().map((p) => p.variable.dataSync());
    expect(after.some((values, i) => values.some((x, k) => x !== before[i]![k]))).toBe(true);
    // The policy starts equal to its reference: the first step's KL is zero.
    expect(stats['objective/kl']).toBeCloseTo(0, 6);

    const batch = toyBatch(5);
    await trainer.step(batch.queries, batch.responses, batch.scores);
    const numTensors = tf.memory().numTensors;
    await trainer.step(batch.queries, batch.responses, batch.scores);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('saves a folder that AutoModelForCausalLMWithValueHead loads back to the same values', async () => {
    const { model, trainer } = llamaTrainer(2);
    const batch = toyBatch(4, 5);
    await trainer.step(batch.queries, batch.responses, batch.scores);
    const out = join(dir, 'saved');
    await trainer.save(out);
    const loaded = await AutoModelForCausalLMWithValueHead.fromPretrained(out);
    cleanups.push(() => loaded.dispose());
    const input = { inputIds: tf.tensor2d([[104, 105, 116]], undefined, 'int32') };
    const values = (m: typeof model | typeof loaded) =>
      tf.tidy(() => Array.from(m.forward(input).values.dataSync()));
    expect(values(loaded)).toEqual(values(model));
    input.inputIds.dispose();
  });
});
