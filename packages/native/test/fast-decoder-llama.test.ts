import { readFileSync } from 'node:fs';
import { getCapability, initBackend, Rng, registerCapability, tf } from '@trl/core';
import { AutoModelForCausalLM, addLora, LlamaForCausalLM, parseLlamaConfig } from '@trl/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLlamaWeights } from '../../models/src/llama/weights';
import {
  LLAMA_FAMILY_FIXTURES,
  llamaFamilyDir,
  llamaFamilyExpected,
  maxAbsDiff,
} from '../../test-kit/src/fixtures';
import { nativeDecoderProvider, registerNativeDecoder, unregisterNativeDecoder } from '../src/index';
import { forEachKernelAndThreadCount } from './helpers/kernel-settings';

/** Prompts of different lengths, so the batch is left-padded; row 3 is a single token. */
const PROMPTS = [[5, 17, 33, 2, 90, 41, 7], [12, 8], [60, 61, 62, 63, 64], [1]];

beforeAll(async () => {
  await initBackend('wasm');
  expect(registerNativeDecoder()).toBe(true);
});

afterAll(() => unregisterNativeDecoder());

/** Fast (native) and tensor decoding of the same call agree: ids, finish reasons, logprobs. */
async function expectSameAsTensorDecoding(
  model: LlamaForCausalLM,
  prompts: number[][],
  options: { maxNewTokens: number; doSample: boolean; seed?: number; stopTokenIds?: number[][] },
) {
  const tensor = await model.generate(prompts, { ...options, fastDecoder: false });
  const fast = await model.generate(prompts, options);
  expect(fast.map((r) => r.tokenIds)).toEqual(tensor.map((r) => r.tokenIds));
  expect(fast.map((r) => r.finishReason)).toEqual(tensor.map((r) => r.finishReason));
  fast.forEach((row, r) => {
    expect(maxAbsDiff(row.logprobs, tensor[r]!.logprobs)).toBeLessThan(1e-4);
  });
  return fast;
}

/** Registers a wrapper of the native provider that counts createRotary calls; restores the native one. */
async function countingRotaryCreates(run: () => Promise<void>): Promise<number> {
  const provider = getCapability('fastDecoder')!;
  let created = 0;
  const unregister = registerCapability('fastDecoder', {
    ...provider,
    createRotary: (...args) => {
      created++;
      return provider.createRotary!(...args);
    },
  });
  try {
    await run();
  } finally {
    unregister();
    registerNativeDecoder();
  }
  return created;
}

describe.each(LLAMA_FAMILY_FIXTURES)('the native decoder on %s', (name) => {
  let model: LlamaForCausalLM;
  beforeAll(async () => {
    model = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir(name));
  });
  afterAll(() => model.dispose());

  it("is created through the capability's createRotary and gives transformers' greedy ids", async () => {
    const expected = llamaFamilyExpected(name);
    let rows: Awaited<ReturnType<typeof expectSameAsTensorDecoding>> = [];
    const created = await countingRotaryCreates(async () => {
      // transformers generated each prompt alone; here they share a left-padded batch.
      rows = await expectSameAsTensorDecoding(model, expected.greedy_prompts, {
        maxNewTokens: 8,
        doSample: false,
      });
    });
    expect(created).toBe(1);
    expect(rows.map((r) => r.tokenIds)).toEqual(expected.greedy_new_ids);
  });

  it('matches tensor decoding greedily with rows stopping early, and when sampling with a seed', async () => {
    const vocab = model.info.vocabSize;
    const prompts = PROMPTS.map((p) => p.map((id) => id % vocab));
    const free = await model.generate(prompts, { maxNewTokens: 10, doSample: false, fastDecoder: false });
    // Rows 1 and 3 stop at their third token, so later steps drop them from the decoder's batch.
    const stopTokenIds = [[], [free[1]!.tokenIds[2]!], [], [free[3]!.tokenIds[2]!]];
    await expectSameAsTensorDecoding(model, prompts, { maxNewTokens: 10, doSample: false, stopTokenIds });
    await expectSameAsTensorDecoding(model, prompts, { maxNewTokens: 12, doSample: true, seed: 7 });
  });

  it('holds no tensors across generate calls', async () => {
    await model.generate(PROMPTS, { maxNewTokens: 3, seed: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.generate([[3, 4, 5], [6]], { maxNewTokens: 4, seed: i });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the native decoder on Llama variants without a fixture', () => {
  it('handles output and MLP biases, llama3 RoPE scaling and an untied head with either kernel and 1 or 2 threads', async () => {
    const fields = JSON.parse(readFileSync(`${llamaFamilyDir('tiny-llama3')}/config.json`, 'utf8'));
    const config = parseLlamaConfig({ ...fields, attention_bias: true, mlp_bias: true, hidden_size: 64 });
    const rng = new Rng(4);
    const weights = buildLlamaWeights(config, (_key, shape) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.2),
        shape,
      ),
    );
    const model = new LlamaForCausalLM({ config, weights, seed: 1 });
    expect(model.weights.layers[0]!.o.bias).toBeDefined();
    expect(model.weights.layers[0]!.down.bias).toBeDefined();
    expect(model.weights.lmHead).toBeDefined();
    try {
      await forEachKernelAndThreadCount(() =>
        expectSameAsTensorDecoding(model, PROMPTS, { maxNewTokens: 6, doSample: false }),
      );
    } finally {
      model.dispose();
    }
  });

  it('is not used for a model with LoRA adapters', async () => {
    const model = addLora(
      await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(llamaFamilyDir('tiny-qwen2')),
      {
        r: 2,
        targetModules: ['q_proj'],
      },
    );
    try {
      const created = await countingRotaryCreates(async () => {
        await model.generate([[1, 2, 3]], { maxNewTokens: 2 });
      });
      expect(created).toBe(0);
    } finally {
      model.dispose();
    }
  });

  it('rejects weights of the wrong size and positions beyond maxLength by name', () => {
    const provider = nativeDecoderProvider()!;
    const shape = {
      layers: 1,
      hidden: 8,
      heads: 2,
      kvHeads: 1,
      headDim: 4,
      vocabSize: 5,
      intermediate: 6,
      rmsNormEpsilon: 1e-6,
    };
    const f = (n: number) => new Float32Array(n).fill(0.1);
    const linear = (n: number) => ({ weight: f(n) });
    const layer = {
      inputNorm: f(8),
      q: linear(8 * 8),
      k: linear(8 * 4),
      v: linear(8 * 4),
      o: linear(8 * 8),
      postAttentionNorm: f(8),
      gate: linear(8 * 6),
      up: linear(8 * 6),
      down: linear(6 * 8),
    };
    const weights = { tokenEmbedding: f(40), layers: [layer], finalNorm: f(8), inverseFrequencies: f(2) };
    const limits = { maxRows: 1, maxLength: 2 };
    expect(() => provider.createRotary!(shape, { ...weights, finalNorm: f(7) }, limits)).toThrow(
      /weights\[20\] has 7 floats, expected 8/,
    );
    const decoder = provider.createRotary!(shape, weights, limits)!;
    const one = (position: number) => ({
      tokens: Int32Array.of(1),
      positions: Int32Array.of(position),
      mask: Int32Array.of(1),
      rows: 1,
      length: 1,
    });
    expect(() => decoder.forward(one(2))).toThrow(/position id is outside \[0, maxLength\)/);
    expect(decoder.forward(one(0))).toHaveLength(5);
    decoder.dispose();
    expect(() => decoder.forward(one(1))).toThrow(/disposed/);
  });
});
