import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy, initBackend, readSafetensors, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { maxAbsDiff, TINY_GPT2_DIR, tinyGpt2Expected } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import type { Gpt2LMHeadModel } from '../src/gpt2/model';
import { addLora, mergeAndUnload } from '../src/lora/lora-model';
import { saveLoraAdapter } from '../src/lora/peft-files';
import { createReferenceModel } from '../src/reference-model';

const expected = tinyGpt2Expected();

function logits(model: Gpt2LMHeadModel): Float32Array {
  return tf.tidy(
    () =>
      model
        .forward({ inputIds: tf.tensor2d(expected.input_ids, undefined, 'int32') })
        .logits.dataSync() as Float32Array,
  );
}

/** Gives every lora_B random values so the adapters change the outputs. */
function perturb(model: Gpt2LMHeadModel): void {
  model.adapters!.all().forEach((a, i) => {
    tf.tidy(() => a.up.assign(tf.randomNormal(a.up.shape, 0, 0.05, 'float32', i + 1)));
  });
}

describe('LoRA', () => {
  beforeAll(() => initBackend(testBackend()));

  it('starts as the base model and trains only the adapter factors', async () => {
    const model = addLora(await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR), { r: 4, loraAlpha: 8 });
    expect(maxAbsDiff(logits(model), expected.logits.flat(2))).toBeLessThan(1e-4);
    const trainable = model.trainableVariables();
    expect(trainable).toHaveLength(2 * 4 * 2);
    expect(trainable[0]!.name).toBe('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
    expect(trainable.every((v) => /lora_[AB]\.weight$/.test(v.name))).toBe(true);

    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const labels = tf.tensor2d(
      expected.input_ids.map((row) => [...row.slice(1), -100]),
      undefined,
      'int32',
    );
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: ids }).logits, labels, { ignoreIndex: -100 }) as tf.Scalar,
      trainable.map((v) => v.variable),
    );
    expect(Object.keys(grads)).toHaveLength(trainable.length);
    const bGrad = grads[trainable[1]!.variable.name]!;
    expect(tf.tidy(() => tf.max(tf.abs(bGrad)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([ids, labels, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('saves in PEFT layout (fan_in_fan_out factors) and loads back with the base', async () => {
    const model = addLora(await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR), {
      r: 2,
      loraAlpha: 4,
      targetModules: ['c_attn', 'c_fc'],
    });
    perturb(model);
    const adapted = logits(model);
    expect(maxAbsDiff(adapted, expected.logits.flat(2))).toBeGreaterThan(1e-3);
    const dir = mkdtempSync(join(tmpdir(), 'trl-models-lora-'));
    await model.savePretrained(dir);

    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      r: 2,
      lora_alpha: 4,
      target_modules: ['c_attn', 'c_fc'],
      fan_in_fan_out: true,
    });
    const file = await readSafetensors(join(dir, 'adapter_model.safetensors'));
    expect([...file.tensors.keys()].sort()).toEqual(
      [0, 1]
        .flatMap((l) =>
          ['attn.c_attn', 'mlp.c_fc'].flatMap((m) =>
            ['A', 'B'].map((f) => `base_model.model.transformer.h.${l}.${m}.lora_${f}.weight`),
          ),
        )
        .sort(),
    );
    const aEntry = file.tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!;
    const bEntry = file.tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')!;
    expect(aEntry.shape).toEqual([2, 48]);
    expect(bEntry.shape).toEqual([144, 2]);
    const a = aEntry.values as Float32Array;
    const b = bEntry.values as Float32Array;

    // PEFT's merge for Conv1D: W[in, out] += scaling * (B @ A)^T.
    const base = model.weights.blocks[0]!.cAttn.weight.arraySync() as number[][];
    const byHand = base.map((row, i) =>
      row.map((w, o) => w + 2 * (b[o * 2]! * a[i]! + b[o * 2 + 1]! * a[48 + i]!)),
    );

    const loaded = await AutoModelForCausalLM.fromPretrained(dir);
    expect(loaded.adapters!.all()).toHaveLength(4);
    expect(maxAbsDiff(logits(loaded), adapted)).toBeLessThan(1e-5);

    mergeAndUnload(model);
    expect(model.adapters).toBeUndefined();
    expect(maxAbsDiff(model.weights.blocks[0]!.cAttn.weight.dataSync(), byHand.flat())).toBeLessThan(1e-6);
    expect(maxAbsDiff(logits(model), adapted)).toBeLessThan(1e-4);
    model.dispose();
    loaded.dispose();
  });

  it('loads an adapter-only directory onto the base named in adapter_config.json', async () => {
    const model = addLora(await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR), { r: 2 });
    perturb(model);
    const dir = mkdtempSync(join(tmpdir(), 'trl-models-adapter-'));
    await saveLoraAdapter(model.adapters!, dir, model.nameOrPath);
    expect(readdirSync(dir).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    expect(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')).base_model_name_or_path).toBe(
      TINY_GPT2_DIR,
    );
    const loaded = await AutoModelForCausalLM.fromPretrained(dir);
    expect(loaded.adapters!.all()).toHaveLength(8);
    expect(maxAbsDiff(logits(loaded), logits(model))).toBeLessThan(1e-5);
    model.dispose();
    loaded.dispose();
  });

  it('gives a reference model that is the base with adapters off, sharing every weight', async () => {
    const model = addLora(await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR));
    perturb(model);
    const reference = createReferenceModel(model);
    expect(reference.weights.blocks[1]!.fc.weight).toBe(model.weights.blocks[1]!.fc.weight);
    expect(maxAbsDiff(logits(reference), expected.logits.flat(2))).toBeLessThan(1e-4);
    expect(maxAbsDiff(logits(model), expected.logits.flat(2))).toBeGreaterThan(1e-3);
    reference.dispose();
    expect(maxAbsDiff(logits(model), expected.logits.flat(2))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('refuses targets that match nothing', async () => {
    const model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
    expect(() => addLora(model, { targetModules: ['q_proj'] })).toThrow(
      /match no module; GPT-2's are c_attn/,
    );
    expect(() => addLora(model, { r: 0 })).toThrow(/Invalid LoRA config:\n {2}r:/);
    model.dispose();
  });
});
