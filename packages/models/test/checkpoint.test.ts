import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readSafetensors, type SafetensorEntry, tf, writeSafetensors } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { maxAbsDiff, TINY_GPT2_DIR, tinyGpt2Expected } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { Gpt2LMHeadModel } from '../src/gpt2/model';

const scratch = () => mkdtempSync(join(tmpdir(), 'trl-models-ckpt-'));

/** Copies the fixture with its tensors rewritten by `edit`. */
async function fixtureVariant(edit: (tensors: Map<string, SafetensorEntry>) => Map<string, SafetensorEntry>) {
  const dir = scratch();
  copyFileSync(join(TINY_GPT2_DIR, 'config.json'), join(dir, 'config.json'));
  const file = await readSafetensors(join(TINY_GPT2_DIR, 'model.safetensors'));
  await writeSafetensors(
    join(dir, 'model.safetensors'),
    Object.fromEntries(edit(file.tensors)),
    file.metadata,
  );
  return dir;
}

async function logitsOf(dir: string): Promise<Float32Array> {
  const model = await AutoModelForCausalLM.fromPretrained(dir);
  const ids = tf.tensor2d(tinyGpt2Expected().input_ids, undefined, 'int32');
  const { logits } = model.forward({ inputIds: ids });
  const values = logits.dataSync() as Float32Array;
  tf.dispose([ids, logits]);
  model.dispose();
  return values;
}

describe('GPT-2 checkpoints', () => {
  const reference = tinyGpt2Expected().logits.flat(2);
  beforeAll(() => initBackend(testBackend()));

  it('loads the original layout (no transformer. prefix) with attn.bias/masked_bias buffers and no lm_head', async () => {
    const dir = await fixtureVariant((tensors) => {
      const out = new Map<string, SafetensorEntry>();
      for (const [key, entry] of tensors) {
        if (key === 'lm_head.weight') continue;
        out.set(key.replace(/^transformer\./, ''), entry);
      }
      const causal = new Float32Array(64 * 64).map((_, i) => (i % 64 <= Math.floor(i / 64) ? 1 : 0));
      for (const layer of [0, 1]) {
        out.set(`h.${layer}.attn.bias`, { dtype: 'F32', shape: [1, 1, 64, 64], values: causal });
        out.set(`h.${layer}.attn.masked_bias`, { dtype: 'F32', shape: [], values: new Float32Array([-1e4]) });
      }
      return out;
    });
    expect(maxAbsDiff(await logitsOf(dir), reference)).toBeLessThan(1e-4);
  });

  it('saves the keys, shapes, dtypes and metadata transformers wrote, and loads back identical', async () => {
    const model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    const dir = scratch();
    await model.savePretrained(dir);
    model.dispose();
    const original = await readSafetensors(join(TINY_GPT2_DIR, 'model.safetensors'));
    const saved = await readSafetensors(join(dir, 'model.safetensors'));
    expect(saved.metadata).toEqual(original.metadata);
    expect([...saved.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    for (const [key, entry] of original.tensors) {
      const mine = saved.tensors.get(key)!;
      expect(mine.dtype, key).toBe(entry.dtype);
      expect(mine.shape, key).toEqual(entry.shape);
      expect(maxAbsDiff(mine.values as Float32Array, entry.values as Float32Array), key).toBe(0);
    }
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: 48,
      n_ctx: 64,
    });
    expect(maxAbsDiff(await logitsOf(dir), await logitsOf(TINY_GPT2_DIR))).toBe(0);
  });

  it('saves and reloads a freshly initialised model exactly', async () => {
    const model = Gpt2LMHeadModel.create(
      { vocab_size: 64, n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2 },
      { seed: 3 },
    );
    const dir = scratch();
    await model.savePretrained(dir);
    const loaded = await AutoModelForCausalLM.fromPretrained(dir);
    const a = model.namedWeights();
    const b = loaded.namedWeights();
    expect(b.map((w) => w.key)).toEqual(a.map((w) => w.key));
    for (const [i, w] of a.entries()) {
      expect(maxAbsDiff(w.variable.dataSync(), b[i]!.variable.dataSync())).toBe(0);
    }
    model.dispose();
    loaded.dispose();
  });

  it('keeps a separate lm_head.weight when tie_word_embeddings is false', async () => {
    const model = Gpt2LMHeadModel.create(
      { vocab_size: 40, n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2, tie_word_embeddings: false },
      { seed: 2 },
    );
    expect(model.weights.lmHead).toBeDefined();
    const dir = scratch();
    await model.savePretrained(dir);
    const loaded = await AutoModelForCausalLM.fromPretrained(dir);
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    const a = model.forward({ inputIds: ids }).logits;
    const b = loaded.forward({ inputIds: ids }).logits;
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    // The head, not the embedding, makes the logits: zeroing it zeroes them.
    tf.tidy(() => loaded.weights.lmHead!.assign(tf.zerosLike(loaded.weights.lmHead!)));
    const c = loaded.forward({ inputIds: ids }).logits;
    expect(c.dataSync().every((x) => x === 0)).toBe(true);
    tf.dispose([ids, a, b, c]);
    model.dispose();
    loaded.dispose();
  });

  it('names the missing file', async () => {
    const dir = scratch();
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(/config\.json/);
    copyFileSync(join(TINY_GPT2_DIR, 'config.json'), join(dir, 'config.json'));
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(/No model\.safetensors/);
  });

  it('names the key and both shapes when config and weights disagree', async () => {
    const dir = await fixtureVariant((t) => t);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 500 }));
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /transformer\.wte\.weight has shape \[512, 48\] but config\.json implies \[500, 48\]/,
    );
  });

  it('names missing weights', async () => {
    const dir = await fixtureVariant((t) => {
      t.delete('transformer.h.1.mlp.c_fc.weight');
      return t;
    });
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /lacks weights.*transformer\.h\.1\.mlp\.c_fc\.weight/,
    );
  });

  it('rejects a float weight declared as I32 instead of loading its bits as integers', async () => {
    const dir = await fixtureVariant((t) => {
      const entry = t.get('transformer.h.0.attn.c_proj.weight') as SafetensorEntry;
      // The same bytes relabelled, as a corrupt or hand-edited header would.
      const bits = new Int32Array((entry.values as Float32Array).buffer.slice(0));
      t.set('transformer.h.0.attn.c_proj.weight', { dtype: 'I32', shape: entry.shape, values: bits });
      return t;
    });
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /model\.safetensors: tensor "transformer\.h\.0\.attn\.c_proj\.weight" is stored as I32, but the model expects a floating-point weight.*save_pretrained/,
    );
  });

  it('still loads F16 weights, and skips integer buffers the model does not use', async () => {
    const dir = await fixtureVariant((t) => {
      const out = new Map<string, SafetensorEntry>();
      for (const [key, entry] of t) out.set(key, { ...entry, dtype: 'F16' } as SafetensorEntry);
      out.set('transformer.h.0.attn.bias', { dtype: 'U8', shape: [2], values: new Uint8Array([1, 0]) });
      out.set('extra_buffer.position_ids', { dtype: 'I64', shape: [2], values: new BigInt64Array([0n, 1n]) });
      return out;
    });
    // F16 rounding moves the logits a little, but they stay close to the F32 reference.
    expect(maxAbsDiff(await logitsOf(dir), reference)).toBeLessThan(5e-2);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s weights, naming the tensor and the count', async (_, bad) => {
    const dir = await fixtureVariant((t) => {
      const entry = t.get('transformer.ln_f.weight') as SafetensorEntry;
      const values = Float32Array.from(entry.values as Float32Array);
      values[3] = bad;
      values[7] = bad;
      t.set('transformer.ln_f.weight', { dtype: 'F32', shape: entry.shape, values });
      return t;
    });
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /tensor "transformer\.ln_f\.weight" holds 2 NaN or infinite value\(s\) \(first at flat index 3.*earlier checkpoint/,
    );
  });

  it('names config.json when it is not valid JSON', async () => {
    const dir = await fixtureVariant((t) => t);
    writeFileSync(join(dir, 'config.json'), '{"n_embd": 48,');
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /config\.json is not valid JSON \(.+\); re-download or regenerate the file/,
    );
  });

  it('rejects token ids outside the vocabulary, naming the max', async () => {
    const model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    const ids = tf.tensor2d([[1, 2, 600]], undefined, 'int32');
    expect(() => model.forward({ inputIds: ids })).toThrow(
      /inputIds contains 600.*0\.\.511 \(vocab_size 512\)/,
    );
    const long = tf.zeros([1, 65], 'int32') as tf.Tensor2D;
    expect(() => model.forward({ inputIds: long })).toThrow(/contains 64.*n_positions 64/);
    const floats = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => model.forward({ inputIds: floats })).toThrow(/inputIds must be int32/);
    await expect(model.generate([[1, 512]], { maxNewTokens: 2 })).rejects.toThrow(
      /prompts\[0\] contains 512/,
    );
    tf.dispose([ids, long, floats]);
    model.dispose();
  });
});
