import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import {
  fixtureExpected,
  llamaFamilyDir,
  llamaFamilyExpected,
  maxAbsDiff,
  TINY_LLAMA3_LORA_DIR,
  TINY_QWEN2_REWARD_DIR,
} from '../../test-kit/src/fixtures';
import { scratchDirs } from '../../test-kit/src/scratch';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import {
  AutoModelForCausalLMWithValueHead,
  AutoModelForSequenceClassification,
} from '../src/auto/auto-model-with-heads';
import type { LlamaForCausalLM } from '../src/llama/model';
import { addLora, loadLoraAdapter, mergeAndUnload } from '../src/lora/lora-model';
import { createReferenceModel } from '../src/reference-model';

const scratch = scratchDirs('trl-llama-heads-');
const llama3 = llamaFamilyExpected('tiny-llama3');

beforeAll(() => initBackend(testBackend()));

/** Logits of tiny-llama3's reference inputs under `model`, flat. */
function logitsOf(model: { forward: LlamaForCausalLM['forward'] }): Float32Array {
  return tf.tidy(() => {
    const ids = tf.tensor2d(llama3.input_ids, undefined, 'int32');
    return model.forward({ inputIds: ids }).logits.dataSync() as Float32Array;
  });
}

describe('LoRA on a Llama-family model', () => {
  it("loads PEFT's q_proj/v_proj adapter and gives PEFT's logits within 1e-4", async () => {
    const expected = fixtureExpected<{ logits: number[][][] }>(TINY_LLAMA3_LORA_DIR);
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-llama3'));
    const plain = logitsOf(model);
    await loadLoraAdapter(model, TINY_LLAMA3_LORA_DIR);
    expect(model.adapters!.all().map((a) => a.module)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
    const adapted = logitsOf(model);
    // The adapter matters, and it is applied as PEFT applies it.
    expect(maxAbsDiff(adapted, plain)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(adapted, expected.logits.flat(2))).toBeLessThan(1e-4);
    mergeAndUnload(model);
    expect(maxAbsDiff(logitsOf(model), expected.logits.flat(2))).toBeLessThan(1e-4);
    model.dispose();
  });

  it("targets q_proj and v_proj by default (PEFT's choice for the family), trains only the factors, and round-trips", async () => {
    const model = addLora(
      await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-qwen3')),
      { r: 2, loraAlpha: 4 },
    );
    expect(model.adapters!.config.targetModules).toEqual(['q_proj', 'v_proj']);
    expect(model.trainableVariables().map((v) => v.name)).toEqual(
      [0, 1].flatMap((i) =>
        ['q_proj', 'v_proj'].flatMap((m) =>
          ['A', 'B'].map((f) => `base_model.model.model.layers.${i}.self_attn.${m}.lora_${f}.weight`),
        ),
      ),
    );
    const ids = tf.tensor2d(llamaFamilyExpected('tiny-qwen3').input_ids, undefined, 'int32');
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.mean(model.forward({ inputIds: ids, training: true }).logits) as tf.Scalar,
      model.trainableVariables().map((v) => v.variable),
    );
    // lora_B starts at zero, so only its gradient is non-zero; apply it so the adapter changes something.
    for (const { variable } of model.trainableVariables()) {
      tf.tidy(() => variable.assign(tf.sub(variable, tf.mul(grads[variable.name]!, 50))));
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const adapted = model.forward({ inputIds: ids }).logits;
    model.adapters!.enabled = false;
    const base = model.forward({ inputIds: ids }).logits;
    model.adapters!.enabled = true;
    expect(maxAbsDiff(adapted.dataSync(), base.dataSync())).toBeGreaterThan(1e-3);
    base.dispose();
    const dir = scratch();
    await model.savePretrained(dir);
    const peft = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(peft).toMatchObject({ target_modules: ['q_proj', 'v_proj'], fan_in_fan_out: false, r: 2 });
    const loaded = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(dir);
    const again = loaded.forward({ inputIds: ids }).logits;
    expect(maxAbsDiff(again.dataSync(), adapted.dataSync())).toBe(0);
    tf.dispose([ids, adapted, again]);
    model.dispose();
    loaded.dispose();
  });

  it("names the family's modules when the targets match none", async () => {
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-qwen2'));
    expect(() => addLora(model, { targetModules: ['c_attn'] })).toThrow(
      /match no module; qwen2's are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj and down_proj/,
    );
    model.dispose();
  });
});

describe('heads on a Llama-family model', () => {
  it('a value head gives the language model logits plus one value per token, and round-trips', async () => {
    const model = await AutoModelForCausalLMWithValueHead.fromPretrained<LlamaForCausalLM>(
      llamaFamilyDir('tiny-llama3'),
      { seed: 3 },
    );
    const ids = tf.tensor2d(llama3.input_ids, undefined, 'int32');
    const out = model.forward({ inputIds: ids });
    expect(out.values.shape).toEqual([2, 12]);
    expect(maxAbsDiff(out.logits.dataSync(), llama3.logits.flat(2))).toBeLessThan(1e-4);
    expect(
      model
        .trainableVariables()
        .map((v) => v.name)
        .slice(-2),
    ).toEqual(['v_head.summary.weight', 'v_head.summary.bias']);
    const dir = scratch();
    await model.savePretrained(dir);
    const loaded = await AutoModelForCausalLMWithValueHead.fromPretrained<LlamaForCausalLM>(dir);
    const again = loaded.forward({ inputIds: ids });
    expect(maxAbsDiff(again.values.dataSync(), out.values.dataSync())).toBe(0);
    expect(maxAbsDiff(again.logits.dataSync(), out.logits.dataSync())).toBe(0);
    tf.dispose([ids, out.logits, out.values, again.logits, again.values]);
    model.dispose();
    loaded.dispose();
  });

  it('a transformers Qwen2 reward model scores the left-padded batch as transformers does', async () => {
    const expected = fixtureExpected<{
      input_ids: number[][];
      attention_mask: number[][];
      scores: number[][];
    }>(TINY_QWEN2_REWARD_DIR);
    const model =
      await AutoModelForSequenceClassification.fromPretrained<LlamaForCausalLM>(TINY_QWEN2_REWARD_DIR);
    expect(model.numLabels).toBe(1);
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const mask = tf.tensor2d(expected.attention_mask, undefined, 'int32');
    const { logits } = model.forward({ inputIds: ids, attentionMask: mask });
    expect(maxAbsDiff(logits.dataSync(), expected.scores.flat())).toBeLessThan(1e-4);
    // Without a mask it pools on the last token that is not the pad id (3); row 0 has no padding, so
    // its score is unchanged, while row 1 then attends to its padding and scores differently.
    const unmasked = model.forward({ inputIds: ids }).logits;
    const [row0, row1] = unmasked.arraySync() as number[][];
    expect(Math.abs(row0![0]! - expected.scores[0]![0]!)).toBeLessThan(1e-4);
    expect(Math.abs(row1![0]! - expected.scores[1]![0]!)).toBeGreaterThan(1e-4);
    const dir = scratch();
    await model.savePretrained(dir);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['Qwen2ForSequenceClassification']);
    const loaded = await AutoModelForSequenceClassification.fromPretrained<LlamaForCausalLM>(dir);
    const again = loaded.forward({ inputIds: ids, attentionMask: mask }).logits;
    expect(maxAbsDiff(again.dataSync(), logits.dataSync())).toBe(0);
    tf.dispose([ids, mask, logits, unmasked, again]);
    model.dispose();
    loaded.dispose();
  });

  it('a reference model copies or shares the policy weights and stays frozen', async () => {
    const policy = await AutoModelForCausalLMWithValueHead.fromPretrained<LlamaForCausalLM>(
      llamaFamilyDir('tiny-llama3'),
    );
    const reference = createReferenceModel(policy, { numSharedLayers: 1 });
    const weights = policy.backbone.weights;
    expect(reference.weights.embedTokens).toBe(weights.embedTokens);
    expect(reference.weights.layers[0]!.q.weight).toBe(weights.layers[0]!.q.weight);
    expect(reference.weights.layers[1]!.q.weight).not.toBe(weights.layers[1]!.q.weight);
    expect(reference.trainableVariables()).toEqual([]);
    expect(policy.backbone.isFrozen(weights.layers[0]!.q.weight)).toBe(true);
    expect(policy.backbone.isFrozen(weights.layers[1]!.q.weight)).toBe(false);
    expect(maxAbsDiff(logitsOf(reference), llama3.logits.flat(2))).toBeLessThan(1e-4);
    reference.dispose();
    // The policy's shared weights survive the reference's disposal.
    expect(maxAbsDiff(logitsOf(policy.backbone), llama3.logits.flat(2))).toBeLessThan(1e-4);
    policy.dispose();
  });
});
