import { type Rng, tf } from '@trl/core';
import { Gpt2LMHeadModel, trainBpeTokenizer } from '@trl/models';
import { describe, expect, it } from 'vitest';
import { buildLmBatch, runSft } from '../src/sft';

const TEXTS = ['the cat sat on the mat', 'a dog ran in the park', 'the cat ran to the dog'];

/** Records what runSft logs so the test can read the loss curve. */
function recordingTracker() {
  const logged: { step: number; metrics: Record<string, number> }[] = [];
  return {
    logged,
    log: (metrics: Record<string, number>, step: number) => {
      logged.push({ step, metrics });
    },
    flush: () => {},
    close: () => {},
  };
}

describe('buildLmBatch', () => {
  it('shifts ids into inputs/labels, pads inputs and ignores padded labels', () => {
    const batch = buildLmBatch(
      [
        [5, 6, 7, 1],
        [8, 1],
      ],
      0,
    );
    expect(batch.inputs).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(batch.labels).toEqual([
      [6, 7, 1],
      [1, -100, -100],
    ]);
  });
});

describe('runSft', () => {
  it('lowers the language-modelling loss of a tiny GPT-2 within a few steps and leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const tokenizer = trainBpeTokenizer(TEXTS, {
      vocabSize: 300,
      specialTokens: ['<|endoftext|>', '<|pad|>'],
    });
    const model = Gpt2LMHeadModel.create(
      {
        n_embd: 16,
        n_layer: 1,
        n_head: 2,
        n_positions: 32,
        embd_pdrop: 0,
        resid_pdrop: 0,
        attn_pdrop: 0,
        vocab_size: tokenizer.vocabSize,
        bos_token_id: tokenizer.eosTokenId,
        eos_token_id: tokenizer.eosTokenId,
      },
      { seed: 0 },
    );
    const tracker = recordingTracker();
    const before = tf.memory().numTensors;
    const result = await runSft({
      model,
      tokenizer,
      sampleTexts: (count: number, rng: Rng) =>
        Array.from({ length: count }, () => TEXTS[rng.nextInt(TEXTS.length)] ?? ''),
      config: { steps: 12, batchSize: 3, learningRate: 1e-2, warmupSteps: 1, seed: 1, logEvery: 1 },
      tracker,
    });
    expect(tf.memory().numTensors).toBe(before);
    const losses = tracker.logged.map((entry) => entry.metrics['sft/loss'] ?? Number.NaN);
    expect(losses).toHaveLength(12);
    expect(result.finalLoss).toBe(losses[11]);
    expect(losses[11]).toBeLessThan((losses[0] ?? 0) * 0.8);
    // Warmup starts from zero, then the cosine schedule never exceeds the base rate.
    const rates = tracker.logged.map((entry) => entry.metrics['sft/lr'] ?? Number.NaN);
    expect(rates[0]).toBe(0);
    expect(Math.max(...rates)).toBeCloseTo(1e-2, 6);
    model.dispose();
  });

  it('asks for a sampleTexts function by name', async () => {
    await expect(
      runSft({
        model: {} as never,
        tokenizer: {} as never,
        sampleTexts: undefined,
        config: {},
        tracker: recordingTracker(),
      }),
    ).rejects.toThrow(/`sampleTexts`/);
  });
});
