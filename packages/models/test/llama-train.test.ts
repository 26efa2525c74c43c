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
