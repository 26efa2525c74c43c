import { crossEntropy, initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import {
  LLAMA_FAMILY_FIXTURES,
  type LlamaFamilyExpected,
  llamaFamilyDir,
  llamaFamilyExpected,
  maxAbsDiff,
} from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import { parseLlamaConfig } from '../src/llama/config';
import { LlamaForCausalLM } from '../src/llama/model';

const MODEL_TYPES = {
  'tiny-llama3': 'llama',
  'tiny-qwen2': 'qwen2',
  'tiny-qwen3': 'qwen3',
  'tiny-mistral': 'mistral',
} as const;

describe.each(LLAMA_FAMILY_FIXTURES)('%s matches transformers', (name) => {
  let model: LlamaForCausalLM;
  let expected: LlamaFamilyExpected;
  beforeAll(async () => {
    await initBackend(testBackend());
    expected = llamaFamilyExpected(name);
    model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir(name));
  });
  afterAll(() => model.dispose());

  it('loads as the Llama-family model of its model_type', () => {
    expect(model).toBeInstanceOf(LlamaForCausalLM);
    expect(model.info.modelType).toBe(MODEL_TYPES[name]);
  });

  it('gives the reference logits within 1e-4', () => {
    const before = tf.memory().numTensors;
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    const { logits } = model.forward({ inputIds: ids });
    const vocab = model.info.vocabSize;
    expect(logits.shape).toEqual([2, 12, vocab]);
    const delta = maxAbsDiff(logits.dataSync(), expected.logits.flat(2));
    expect(delta).toBeLessThan(1e-4);
    tf.dispose([ids, logits]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the reference logits at the real positions of a left-padded batch', () => {
    const ids = tf.tensor2d(expected.padded_input_ids, undefined, 'int32');
    const mask = tf.tensor2d(expected.padded_attention_mask, undefined, 'int32');
    const { logits } = model.forward({ inputIds: ids, attentionMask: mask });
    const got = logits.arraySync();
    const pad = expected.padded_attention_mask[1]!.indexOf(1);
    expect(maxAbsDiff(got[0]!.flat(), expected.padded_logits[0]!.flat())).toBeLessThan(1e-4);
    expect(maxAbsDiff(got[1]!.slice(pad).flat(), expected.padded_logits[1]!.slice(pad).flat())).toBeLessThan(
      1e-4,
    );
    // RoPE sees only relative positions, so the padded row also matches the unpadded logits.
    expect(maxAbsDiff(got[1]!.slice(pad).flat(), expected.logits[1]!.slice(0, 12 - pad).flat())).toBeLessThan(
      1e-4,
    );
    tf.dispose([ids, mask, logits]);
  });

  it("gives transformers' loss and gradients within 1e-4", () => {
    const ids = tf.tensor2d(expected.input_ids, undefined, 'int32');
    // transformers shifts `labels=input_ids` by one; the last position predicts nothing.
    const labels = tf.tensor2d(
      expected.input_ids.map((row) => [...row.slice(1), -100]),
      undefined,
      'int32',
    );
    const named = new Map(model.namedWeights().map((w) => [w.key, w.variable]));
    const keys = Object.keys(expected.grads);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: ids }).logits, labels, { ignoreIndex: -100 }) as tf.Scalar,
      keys.map((key) => named.get(key)!),
    );
    expect(Math.abs(value.dataSync()[0]! - expected.loss)).toBeLessThan(1e-4);
    for (const key of keys) {
      const grad = grads[named.get(key)!.name]!;
      // Projection weights are held as [in, out]; the checkpoint (and torch's grad) is [out, in].
      const asCheckpoint = tf.tidy(() =>
        grad.rank === 2 && key !== 'model.embed_tokens.weight' ? tf.transpose(grad) : grad.clone(),
      );
      expect(maxAbsDiff(asCheckpoint.dataSync(), expected.grads[key]!.flat())).toBeLessThan(1e-4);
      asCheckpoint.dispose();
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, labels]);
  });

  it("reproduces transformers' greedy continuation for a ragged batch", async () => {
    const before = tf.memory().numTensors;
    const results = await model.generate(expected.greedy_prompts, { maxNewTokens: 8, doSample: false });
    expect(results.map((r) => r.tokenIds)).toEqual(expected.greedy_new_ids);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('generate on a Llama-family model', () => {
  it('stops at any of the eos ids config.json lists (Llama 3 instruct lists several)', async () => {
    await initBackend(testBackend());
    const expected = llamaFamilyExpected('tiny-llama3');
    const loaded = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-llama3'));
    const [first, second] = expected.greedy_new_ids as [number[], number[]];
    // The third greedy token of row 0 and the fifth of row 1 become eos ids (neither occurs earlier in its row).
    const eos = [first[2]!, second[4]!];
    expect(first.slice(0, 2)).not.toContain(eos[0]);
    expect(first.slice(0, 2)).not.toContain(eos[1]);
    expect(second.slice(0, 4)).not.toContain(eos[0]);
    expect(second.slice(0, 4)).not.toContain(eos[1]);
    const config = parseLlamaConfig({ ...loaded.config.fields, eos_token_id: eos });
    const model = new LlamaForCausalLM({ config, weights: loaded.weights, owned: new Set() });
    const results = await model.generate(expected.greedy_prompts, { maxNewTokens: 8, doSample: false });
    expect(results.map((r) => r.tokenIds)).toEqual([first.slice(0, 3), second.slice(0, 5)]);
    expect(results.map((r) => r.finishReason)).toEqual(['eos', 'eos']);
    model.dispose();
    loaded.dispose();
  });
});
