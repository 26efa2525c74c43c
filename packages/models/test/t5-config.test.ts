import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, TrlConfigError, TrlError, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { AutoModelForSeq2SeqLM } from '../src/auto/auto-model-for-seq2seq-lm';

const UNTIED = fileURLToPath(new URL('./fixtures/t5-gated-untied', import.meta.url));
const SMALL = {
  model_type: 't5',
  vocab_size: 40,
  d_model: 16,
  d_kv: 4,
  d_ff: 24,
  num_layers: 1,
  num_decoder_layers: 2,
  num_heads: 2,
  relative_attention_num_buckets: 8,
  feed_forward_proj: 'gated-gelu',
  dropout_rate: 0.2,
};

beforeAll(() => initBackend(testBackend()));

describe('T5 config and checkpoint errors', () => {
  it('lists every bad field in one error', () => {
    const error = (() => {
      try {
        AutoModelForSeq2SeqLM.fromConfig({ ...SMALL, feed_forward_proj: 'gated-swish', num_heads: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TrlConfigError);
    expect((error as TrlConfigError).issues.map((issue) => issue.field)).toEqual([
      'num_heads',
      'feed_forward_proj',
    ]);
    expect((error as Error).message).toMatch(/"gated-swish" is not supported/);
  });

  it('refuses other model types, naming the supported ones', () => {
    expect(() => AutoModelForSeq2SeqLM.fromConfig({ ...SMALL, model_type: 'mt5' })).toThrow(
      /model_type "mt5" has no encoder-decoder .*supported: t5/,
    );
  });

  it('refuses an untied config whose checkpoint has no lm_head.weight', async () => {
    const model = AutoModelForSeq2SeqLM.fromConfig({ ...SMALL, tie_word_embeddings: true });
    const dir = mkdtempSync(join(tmpdir(), 'trl-t5-config-'));
    await model.savePretrained(dir);
    model.dispose();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: false }));
    const error = await AutoModelForSeq2SeqLM.fromPretrained(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrlError);
    expect((error as Error).message).toMatch(
      /no lm_head\.weight but config\.json sets tie_word_embeddings: false/,
    );
  });

  it('refuses a checkpoint whose feed-forward does not match feed_forward_proj, naming a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-t5-config-'));
    await cp(UNTIED, dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, feed_forward_proj: 'relu' }));
    await expect(AutoModelForSeq2SeqLM.fromPretrained(dir)).rejects.toThrow(/DenseReluDense\.wi\.weight/);
  });
});

describe('T5 training passes', () => {
  it('give every weight a gradient and leak no tensors with dropout on', () => {
    const model = AutoModelForSeq2SeqLM.fromConfig(SMALL, { seed: 4 });
    const inputIds = tf.tensor2d(
      [
        [3, 4, 5, 1],
        [6, 1, 0, 0],
      ],
      undefined,
      'int32',
    );
    const attentionMask = tf.tensor2d(
      [
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ],
      undefined,
      'int32',
    );
    const decoderInputIds = tf.tensor2d(
      [
        [0, 7, 8],
        [0, 9, 0],
      ],
      undefined,
      'int32',
    );
    const variables = model.trainableVariables();
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.sum(
            model.forward({ inputIds, attentionMask, decoderInputIds, training: true }).logits,
          ) as tf.Scalar,
        variables.map((v) => v.variable),
      );
      const missing = variables.filter((v) => grads[v.variable.name] === undefined).map((v) => v.name);
      tf.dispose([value, ...Object.values(grads)]);
      return missing;
    };
    expect(step()).toEqual([]);
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    // Dropout makes two training passes differ; inference passes agree.
    const pass = (training: boolean) =>
      tf.tidy(() =>
        Array.from(model.forward({ inputIds, attentionMask, decoderInputIds, training }).logits.dataSync()),
      );
    expect(pass(true)).not.toEqual(pass(true));
    expect(pass(false)).toEqual(pass(false));
    expect(variables.filter((v) => !v.decay).every((v) => v.name.endsWith('layer_norm.weight'))).toBe(true);
    tf.dispose([inputIds, attentionMask, decoderInputIds]);
    model.dispose();
  });
});
