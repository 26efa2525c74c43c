import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, readSafetensors, type SafetensorEntry, tf, writeSafetensors } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import {
  fixtureExpected,
  llamaFamilyDir,
  llamaFamilyExpected,
  maxAbsDiff,
  TINY_QWEN3_BF16_SHARDED_DIR,
} from '../../test-kit/src/fixtures';
import { scratchDirs } from '../../test-kit/src/scratch';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { loadLlamaCheckpoint } from '../src/llama/load';
import type { LlamaForCausalLM } from '../src/llama/model';
import { llamaNamedWeights } from '../src/llama/weights';

const scratch = scratchDirs('trl-llama-ckpt-');

beforeAll(() => initBackend(testBackend()));

/** Logits of `ids` under the checkpoint in `dir`, flat; the model is disposed. */
async function logitsOf(dir: string, ids: number[][]): Promise<Float32Array> {
  const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(dir);
  const input = tf.tensor2d(ids, undefined, 'int32');
  const { logits } = model.forward({ inputIds: input });
  const values = logits.dataSync() as Float32Array;
  tf.dispose([input, logits]);
  model.dispose();
  return values;
}

/** A copy of tiny-llama3 whose tensors went through `edit`. */
async function llamaVariant(
  edit: (tensors: Map<string, SafetensorEntry>) => Map<string, SafetensorEntry>,
): Promise<string> {
  const source = llamaFamilyDir('tiny-llama3');
  const dir = scratch();
  copyFileSync(join(source, 'config.json'), join(dir, 'config.json'));
  const file = await readSafetensors(join(source, 'model.safetensors'));
  const tensors = edit(new Map(file.tensors));
  await writeSafetensors(join(dir, 'model.safetensors'), Object.fromEntries(tensors), { format: 'pt' });
  return dir;
}

describe('Llama-family checkpoints', () => {
  it('loads a bf16 checkpoint sharded by transformers, upcast to float32, to its logits within 1e-4', async () => {
    const expected = fixtureExpected<{ input_ids: number[][]; logits: number[][][]; shards: string[] }>(
      TINY_QWEN3_BF16_SHARDED_DIR,
    );
    expect(expected.shards.length).toBeGreaterThan(1);
    const logits = await logitsOf(TINY_QWEN3_BF16_SHARDED_DIR, expected.input_ids);
    expect(maxAbsDiff(logits, expected.logits.flat(2))).toBeLessThan(1e-4);
  });

  it('re-saves as one F32 file whose config.json says float32, loading back to the same logits', async () => {
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(TINY_QWEN3_BF16_SHARDED_DIR);
    const dir = scratch();
    await model.savePretrained(dir);
    model.dispose();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      dtype: 'float32',
      model_type: 'qwen3',
      architectures: ['Qwen3ForCausalLM'],
    });
    const file = await readSafetensors(join(dir, 'model.safetensors'));
    expect(new Set([...file.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F32']));
    // Projection weights are written back in the checkpoint's [out, in] layout; tied: no lm_head.
    expect(file.tensors.get('model.layers.0.self_attn.q_proj.weight')!.shape).toEqual([80, 40]);
    expect(file.tensors.has('lm_head.weight')).toBe(false);
    const ids = llamaFamilyExpected('tiny-qwen3').input_ids;
    expect(maxAbsDiff(await logitsOf(dir, ids), await logitsOf(TINY_QWEN3_BF16_SHARDED_DIR, ids))).toBe(0);
  });

  it('round-trips an untied float32 model exactly, with the keys transformers wrote', async () => {
    const source = llamaFamilyDir('tiny-llama3');
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(source);
    const dir = scratch();
    await model.savePretrained(dir);
    const keys = llamaNamedWeights(model.weights).map((w) => w.key);
    model.dispose();
    expect(keys).toContain('lm_head.weight');
    const original = await readSafetensors(join(source, 'model.safetensors'));
    const saved = await readSafetensors(join(dir, 'model.safetensors'));
    expect([...saved.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    expect([...keys].sort()).toEqual([...original.tensors.keys()].sort());
    for (const [key, tensor] of original.tensors) {
      expect(maxAbsDiff(saved.tensors.get(key)!.values as Float32Array, tensor.values as Float32Array)).toBe(
        0,
      );
    }
  });

  it('lists tensors no weight reads as unexpected, and skips rotary buffers', async () => {
    const dir = await llamaVariant((t) => {
      t.set('model.extra.weight', { dtype: 'F32', shape: [2], values: new Float32Array([1, 2]) });
      t.set('model.rotary_emb.inv_freq', { dtype: 'F32', shape: [3], values: new Float32Array(3) });
      return t;
    });
    const checkpoint = await loadLlamaCheckpoint(dir);
    expect(checkpoint.unexpected).toEqual(['model.extra.weight']);
    for (const w of llamaNamedWeights(checkpoint.weights)) w.variable.dispose();
  });

  it('names missing weights and shape mismatches', async () => {
    const missing = await llamaVariant((t) => {
      t.delete('model.layers.1.mlp.up_proj.weight');
      return t;
    });
    await expect(AutoModelForCausalLM.fromPretrained(missing)).rejects.toThrow(
      /lacks weights the config needs: model\.layers\.1\.mlp\.up_proj\.weight\. Is it a llama checkpoint/,
    );
    const dir = await llamaVariant((t) => t);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, intermediate_size: 80 }));
    await expect(AutoModelForCausalLM.fromPretrained(dir)).rejects.toThrow(
      /model\.layers\.0\.mlp\.gate_proj\.weight has shape \[88, 48\] but config\.json implies \[80, 48\]/,
    );
  });

  it('keeps numTensors stable across load, forward and dispose', async () => {
    const before = tf.memory().numTensors;
    await logitsOf(llamaFamilyDir('tiny-mistral'), llamaFamilyExpected('tiny-mistral').input_ids);
    expect(tf.memory().numTensors).toBe(before);
  });
});
