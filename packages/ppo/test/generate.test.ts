import type { GenerationOptions, GenerationResult } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LengthSampler, PPOTrainer } from '../src/index';
import { tinyPolicy, tinyTokenizer, useTestBackend } from './helpers/tiny-model';

beforeAll(useTestBackend);

/** The real tiny policy, with generate replaced by a scripted one that records its calls. */
function scripted(outputs: (prompt: readonly number[]) => number[]) {
  const model = tinyPolicy(1);
  const calls: { prompts: (readonly number[])[]; options: GenerationOptions }[] = [];
  model.generate = async (prompts, options): Promise<GenerationResult[]> => {
    calls.push({ prompts: [...prompts], options });
    return prompts.map((prompt) => ({
      tokenIds: outputs(prompt),
      logprobs: [],
      finishReason: 'length' as const,
    }));
  };
  const trainer = new PPOTrainer({ model, tokenizer: tinyTokenizer(), config: { seed: 1 } });
  return { trainer, calls };
}

describe('PPOTrainer.generate', () => {
  it('generates in batches, one length per batch, and returns prompt + response by default', async () => {
    const { trainer, calls } = scripted((prompt) => [prompt[0] as number, 100]);
    const lengths = [3, 5];
    const responses = await trainer.generate([[1], [2], [3]], {
      batchSize: 2,
      lengthSampler: () => lengths.shift() as number,
    });
    expect(responses).toEqual([
      [1, 1, 100],
      [2, 2, 100],
      [3, 3, 100],
    ]);
    expect(calls.map((call) => call.prompts)).toEqual([[[1], [2]], [[3]]]);
    expect(calls.map((call) => call.options.maxNewTokens)).toEqual([3, 5]);
    expect(calls[0]?.options.padTokenId).toBe(257);
    expect(calls[0]?.options.seed).not.toBe(calls[1]?.options.seed);
  });

  it('cuts each response after its first eos and can leave the prompt out', async () => {
    const { trainer } = scripted(() => [10, 256, 11, 256]);
    expect(await trainer.generate([[1, 2]], { maxNewTokens: 4, returnPrompt: false })).toEqual([[10, 256]]);
  });

  it('samples reproducibly from the trainer seed with the real model', async () => {
    const sample = async () => {
      const trainer = new PPOTrainer({
        model: tinyPolicy(1),
        tokenizer: tinyTokenizer(),
        config: { seed: 9 },
      });
      const out = await trainer.generate([[65, 66], [67]], { maxNewTokens: 5, returnPrompt: false });
      trainer.model.dispose();
      trainer.dispose();
      return out;
    };
    const first = await sample();
    expect(first.map((row) => row.length)).toEqual([5, 5]);
    expect(await sample()).toEqual(first);
  });

  it('refuses calls it cannot serve', async () => {
    const { trainer } = scripted(() => [1]);
    await expect(trainer.generate([[1]])).rejects.toThrow(/maxNewTokens.*lengthSampler/);
    await expect(trainer.generate([[]], { maxNewTokens: 2 })).rejects.toThrow(/`queries\[0\]` is empty/);
    await expect(trainer.generate([[1]], { maxNewTokens: 2, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe('LengthSampler', () => {
  it('draws seeded integers in [min, max)', () => {
    const sampler = new LengthSampler(4, 8, 2);
    const draws = Array.from({ length: 200 }, sampler.sample);
    expect(Math.min(...draws)).toBe(4);
    expect(Math.max(...draws)).toBe(7);
    expect(Array.from({ length: 200 }, new LengthSampler(4, 8, 2).sample)).toEqual(draws);
    expect(() => new LengthSampler(5, 5)).toThrow(/maxValue/);
  });

  it('getState/loadState continue the exact draws through JSON, and refuse other bounds', () => {
    const sampler = new LengthSampler(3, 40, 9);
    for (let i = 0; i < 5; i++) sampler.sample();
    const saved = JSON.parse(JSON.stringify(sampler.getState()));
    const expected = Array.from({ length: 20 }, sampler.sample);
    const restored = new LengthSampler(3, 40, 1234);
    restored.loadState(saved);
    expect(Array.from({ length: 20 }, restored.sample)).toEqual(expected);
    expect(() => new LengthSampler(3, 41).loadState(saved)).toThrow(/\[3, 40\).*\[3, 41\)/);
  });
});
