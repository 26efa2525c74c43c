import { join } from 'node:path';
import { tf } from '@trl/core';
import {
  AutoModelForSeq2SeqLM,
  AutoModelForSeq2SeqLMWithValueHead,
  Seq2SeqWithValueHead,
  type T5ForConditionalGeneration,
} from '@trl/models';
import { scratchDir } from '@trl/test-kit/scratch';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PPO_STAT_KEYS, PPOTrainer } from '../src/index';
import { toyBatch } from './helpers/batch';
import { tinyTokenizer, useTestBackend } from './helpers/tiny-model';

const dir = scratchDir('trl-ppo-t5-');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
beforeAll(useTestBackend);

/** A tiny T5 v1.1 layout (gated-gelu, untied head) sized for the byte-level tokenizer; dropout off. */
const T5_CONFIG = {
  model_type: 't5',
  vocab_size: 258,
  d_model: 24,
  d_kv: 8,
  d_ff: 32,
  num_layers: 2,
  num_decoder_layers: 2,
  num_heads: 3,
  relative_attention_num_buckets: 8,
  relative_attention_max_distance: 20,
  dropout_rate: 0,
  feed_forward_proj: 'gated-gelu',
  tie_word_embeddings: false,
  eos_token_id: 256,
  pad_token_id: 257,
  decoder_start_token_id: 257,
};

function t5Trainer(seed: number) {
  const model = new Seq2SeqWithValueHead<T5ForConditionalGeneration>(
    AutoModelForSeq2SeqLM.fromConfig(T5_CONFIG, { seed }),
    { seed: seed + 1, summaryDropoutProb: 0 },
  );
  // The same seed gives the reference the policy's starting weights, as TRL's create_reference_model.
  const refModel = AutoModelForSeq2SeqLM.fromConfig(T5_CONFIG, { seed });
  const trainer = new PPOTrainer({
    config: { miniBatchSize: 2, learningRate: 1e-3, seed: 7 },
    model,
    refModel,
    tokenizer: tinyTokenizer(),
  });
  cleanups.push(() => {
    trainer.dispose();
    model.dispose();
    refModel.dispose();
  });
  return { model, trainer };
}

describe('PPOTrainer on a T5 policy with a value head (encoder-decoder)', () => {
  it('generates decoder responses, steps with finite TRL stats, moves the weights, keeps numTensors stable', async () => {
    const { model, trainer } = t5Trainer(1);
    const queries = [[104, 105], [116, 104, 101], [97]];
    const responses = await trainer.generate(queries, { maxNewTokens: 5 });
    // An encoder-decoder returns the responses alone, without the decoder start token.
    expect(
      responses.every((r) => r.length > 0 && r.length <= 5 && r.every((id) => id >= 0 && id < 258)),
    ).toBe(true);

    const before = model.trainableVariables().map((p) => Float32Array.from(p.variable.dataSync()));
    const stats = await trainer.step(queries, responses, [1, -0.5, 0.25]);
    for (const key of PPO_STAT_KEYS) expect(Number.isFinite(stats[key]), key).toBe(true);
    expect(Number.isFinite(stats['ppo/loss/total'])).toBe(true);
    const after = model.trainableVariables().map((p) => p.variable.dataSync());
    const changed = model
      .trainableVariables()
      .filter((_, i) => after[i]!.some((x, k) => x !== before[i]![k]))
      .map((p) => p.name);
    // Encoder, decoder, head and value head all learn.
    for (const name of [
      'encoder.block.0.layer.0.SelfAttention.q.weight',
      'decoder.block.1.layer.1.EncDecAttention.k.weight',
      'lm_head.weight',
      'v_head.summary.weight',
    ]) {
      expect(changed, name).toContain(name);
    }
    // The policy starts equal to its reference: the first step's KL is zero.
    expect(stats['objective/kl']).toBeCloseTo(0, 6);

    const batch = toyBatch(5);
    await trainer.step(batch.queries, batch.responses, batch.scores);
    const numTensors = tf.memory().numTensors;
    const second = await trainer.step(batch.queries, batch.responses, batch.scores);
    expect(tf.memory().numTensors).toBe(numTensors);
    // After updates the policy has drifted from the frozen reference.
    expect(Math.abs(second['objective/kl'])).toBeGreaterThan(0);
  });

  it('saves a folder that AutoModelForSeq2SeqLMWithValueHead loads back to the same values (v_head keys as TRL)', async () => {
    const { model, trainer } = t5Trainer(2);
    const batch = toyBatch(4, 5);
    await trainer.step(batch.queries, batch.responses, batch.scores);
    const out = join(dir, 'saved');
    await model.savePretrained(out);
    const loaded = await AutoModelForSeq2SeqLMWithValueHead.fromPretrained(out);
    cleanups.push(() => loaded.dispose());
    const input = {
      inputIds: tf.tensor2d([[104, 105, 116]], undefined, 'int32'),
      decoderInputIds: tf.tensor2d([[257, 97, 98]], undefined, 'int32'),
    };
    const values = (m: typeof model | typeof loaded) =>
      tf.tidy(() => Array.from(m.forward(input).values.dataSync()));
    expect(values(loaded)).toEqual(values(model));
    expect(values(model)).toHaveLength(3);
    tf.dispose(Object.values(input));
  });
});
