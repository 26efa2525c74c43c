import { initBackend, registerCapability, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { llamaFamilyDir, llamaFamilyExpected } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { parseLlamaConfig } from '../src/llama/config';
import { LlamaForCausalLM } from '../src/llama/model';
import { addLora } from '../src/lora/lora-model';
import { memorise } from './helpers/memorise';

const SEQUENCE = [3, 17, 42, 8, 8, 51, 23, 9, 60, 1, 33, 12];

beforeAll(() => initBackend(testBackend()));

describe('LlamaForCausalLM.create', () => {
  const config = {
    model_type: 'qwen2',
    vocab_size: 300,
    hidden_size: 48,
    intermediate_size: 96,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    initializer_range: 0.05,
  };

  it('initialises as transformers does: N(0, initializer_range), zero biases, unit norms; seeded', () => {
    const model = LlamaForCausalLM.create(config, { seed: 3 });
    const layer = model.weights.layers[0]!;
    const values = Array.from(layer.gate.weight.dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.045);
    expect(std).toBeLessThan(0.055);
    expect(Array.from(layer.q.bias!.dataSync()).every((x) => x === 0)).toBe(true);
    expect(Array.from(layer.inputNorm.dataSync()).every((x) => x === 1)).toBe(true);
    expect(Array.from(model.weights.norm.dataSync()).every((x) => x === 1)).toBe(true);
    const again = LlamaForCausalLM.create(config, { seed: 3 });
    const other = LlamaForCausalLM.create(config, { seed: 4 });
    expect(again.weights.embedTokens.dataSync()).toEqual(model.weights.embedTokens.dataSync());
    expect(other.weights.embedTokens.dataSync()).not.toEqual(model.weights.embedTokens.dataSync());
    for (const m of [model, again, other]) m.dispose();
  });

  it('names the bad config field', () => {
    expect(() => LlamaForCausalLM.create({ ...config, num_key_value_heads: 3 })).toThrow(
      /num_key_value_heads/,
    );
  });
});

describe('training a Llama-family model', () => {
  it('memorises a sequence with AdamW through every weight (attention dropout on)', async () => {
    const loaded = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(
      llamaFamilyDir('tiny-mistral'),
    );
    const model = new LlamaForCausalLM({
      config: parseLlamaConfig({ ...loaded.config.fields, attention_dropout: 0.1 }),
      weights: loaded.weights,
      seed: 2,
    });
    const embedBefore = model.weights.embedTokens.dataSync().slice();
    const numTensors = tf.memory().numTensors;
    const losses = memorise(model, SEQUENCE, 40, 1e-2);
    expect(losses[0]).toBeGreaterThan(3);
    expect(losses.at(-1)!).toBeLessThan(0.3);
    expect(model.weights.embedTokens.dataSync().some((x, i) => x !== embedBefore[i])).toBe(true);
    expect(tf.memory().numTensors).toBe(numTensors);
    const results = await model.generate([SEQUENCE.slice(0, 4)], { maxNewTokens: 4, doSample: false });
    expect(results[0]!.tokenIds).toEqual(SEQUENCE.slice(4, 8));
    model.dispose();
  });

  it('trains only the LoRA factors, leaving the base weights as loaded', async () => {
    const model = addLora(
      await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-llama3')),
      {
        r: 4,
        loraAlpha: 16,
        targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
      },
    );
    const qBefore = model.weights.layers[0]!.q.weight.dataSync().slice();
    const losses = memorise(model, SEQUENCE, 30, 2e-2);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
    expect(model.weights.layers[0]!.q.weight.dataSync()).toEqual(qBefore);
    model.dispose();
  });

  it('decodes with its own tensor ops when a fast decoder (GPT-2 only) is registered', async () => {
    const expected = llamaFamilyExpected('tiny-qwen3');
    const model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-qwen3'));
    let created = 0;
    const unregister = registerCapability('fastDecoder', {
      name: 'counting test provider',
      create: () => {
        created++;
        return undefined;
      },
    });
    try {
      const results = await model.generate(expected.greedy_prompts, { maxNewTokens: 8, doSample: false });
      expect(results.map((r) => r.tokenIds)).toEqual(expected.greedy_new_ids);
      expect(created).toBe(0);
    } finally {
      unregister();
      model.dispose();
    }
  });
});
