import { getCapability, initBackend, tf } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeDecoderProvider, registerNativeDecoder, unregisterNativeDecoder } from '../src/index';
import { forEachKernelAndThreadCount } from './helpers/kernel-settings';

const CONFIG = {
  vocab_size: 97,
  n_positions: 64,
  n_embd: 48,
  n_layer: 2,
  n_head: 4,
  resid_pdrop: 0,
  embd_pdrop: 0,
  attn_pdrop: 0,
  bos_token_id: null,
  eos_token_id: null,
};

/** {@link CONFIG} in the decoder spec's terms. */
const DECODER_CONFIG = {
  layers: 2,
  width: 48,
  heads: 4,
  vocabSize: 97,
  maxPositions: 64,
  innerWidth: 192,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
} as const;

/** Prompts of different lengths, so the batch is left-padded. */
const PROMPTS = [[5, 17, 33, 2, 90, 41, 7], [12, 8], [60, 61, 62, 63, 64], [1]];

let model: Gpt2LMHeadModel;

beforeAll(async () => {
  await initBackend('wasm');
  model = Gpt2LMHeadModel.create(CONFIG, { seed: 3 });
  expect(registerNativeDecoder()).toBe(true);
});

afterAll(() => {
  unregisterNativeDecoder();
  model.dispose();
});

/** Logits of the last real token of each prompt, from the tensor model (the reference). */
function referenceLastLogits(prompts: number[][]): Float32Array[] {
  return prompts.map((prompt) =>
    tf.tidy(() => {
      const ids = tf.tensor2d([prompt], [1, prompt.length], 'int32');
      const logits = model.forward({ inputIds: ids }).logits;
      return tf.slice(logits, [0, prompt.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array;
    }),
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('native decoder', () => {
  it('registers as the fastDecoder capability and unregisters', () => {
    expect(getCapability('fastDecoder')?.name).toBe('@trl/native');
    unregisterNativeDecoder();
    expect(getCapability('fastDecoder')).toBeUndefined();
    expect(registerNativeDecoder()).toBe(true);
  });

  it('gives the tensor model logits for a left-padded prefill and for cached steps', async () => {
    const provider = nativeDecoderProvider()!;
    const width = Math.max(...PROMPTS.map((p) => p.length));
    const tokens = new Int32Array(PROMPTS.length * width);
    const mask = new Int32Array(PROMPTS.length * width);
    const positions = new Int32Array(PROMPTS.length * width);
    PROMPTS.forEach((prompt, r) => {
      const offset = width - prompt.length;
      prompt.forEach((id, t) => {
        tokens[r * width + offset + t] = id;
        mask[r * width + offset + t] = 1;
        positions[r * width + offset + t] = t;
      });
    });
    const decoder = provider.create(DECODER_CONFIG, hostWeights(), {
      maxRows: PROMPTS.length,
      maxLength: width + 3,
    })!;
    const prefill = decoder.forward({ tokens, positions, mask, rows: PROMPTS.length, length: width }).slice();
    const expected = referenceLastLogits(PROMPTS);
    PROMPTS.forEach((_, r) => {
      expect(maxAbsDiff(prefill.subarray(r * 97, (r + 1) * 97), expected[r]!)).toBeLessThan(1e-4);
    });
    // Two cached steps, the second after dropping rows 1 and 3.
    const grown = PROMPTS.map((p) => [...p, 11]);
    const step = decoder
      .forward({
        tokens: Int32Array.from(grown, (p) => p.at(-1)!),
        positions: Int32Array.from(grown, (p) => p.length - 1),
        mask: new Int32Array(4).fill(1),
        rows: 4,
        length: 1,
      })
      .slice();
    referenceLastLogits(grown).forEach((row, r) => {
      expect(maxAbsDiff(step.subarray(r * 97, (r + 1) * 97), row)).toBeLessThan(1e-4);
    });
    const kept = [grown[0]!, grown[2]!].map((p) => [...p, 42]);
    const afterDrop = decoder
      .forward({
        tokens: Int32Array.of(42, 42),
        positions: Int32Array.from(kept, (p) => p.length - 1),
        mask: Int32Array.of(1, 1),
        rows: 2,
        length: 1,
        keep: Int32Array.of(0, 2),
      })
      .slice();
    referenceLastLogits(kept).forEach((row, r) => {
      expect(maxAbsDiff(afterDrop.subarray(r * 97, (r + 1) * 97), row)).toBeLessThan(1e-4);
    });
    decoder.dispose();
  });

  it('makes generate() give the same greedy tokens as tensor decoding, rows finishing early', async () => {
    const options = {
      maxNewTokens: 12,
      doSample: false,
      stopTokenIds: [[], [3, 50, 51, 52], [], [7, 8, 9, 10]],
    };
    const tensor = await model.generate(PROMPTS, { ...options, fastDecoder: false });
    const fast = await model.generate(PROMPTS, options);
    expect(fast.map((r) => r.tokenIds)).toEqual(tensor.map((r) => r.tokenIds));
    expect(fast.map((r) => r.finishReason)).toEqual(tensor.map((r) => r.finishReason));
    fast.forEach((row, r) => {
      expect(maxAbsDiff(row.logprobs, tensor[r]!.logprobs)).toBeLessThan(1e-4);
    });
  });

  it('samples the same tokens for the same seed as tensor decoding', async () => {
    const options = { maxNewTokens: 16, doSample: true, temperature: 1, seed: 11 };
    const tensor = await model.generate(PROMPTS, { ...options, fastDecoder: false });
    const fast = await model.generate(PROMPTS, options);
    expect(fast.map((r) => r.tokenIds)).toEqual(tensor.map((r) => r.tokenIds));
  });

  it('holds no tensors across generate calls', async () => {
    await model.generate(PROMPTS, { maxNewTokens: 4, seed: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.generate(PROMPTS, { maxNewTokens: 4, seed: i });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('agrees with tensor decoding on a wider model with either micro-kernel and 1 or 2 threads', async () => {
    const wide = Gpt2LMHeadModel.create(
      { ...CONFIG, n_embd: 128, vocab_size: 1000, n_layer: 1 },
      { seed: 9 },
    );
    const prompts = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 12 - r }, (_, t) => (r * 97 + t * 13) % 1000),
    );
    const options = { maxNewTokens: 5, doSample: false };
    const expected = await wide.generate(prompts, { ...options, fastDecoder: false });
    try {
      await forEachKernelAndThreadCount(async () => {
        const fast = await wide.generate(prompts, options);
        expect(fast.map((r) => r.tokenIds)).toEqual(expected.map((r) => r.tokenIds));
        fast.forEach((row, r) => {
          expect(maxAbsDiff(row.logprobs, expected[r]!.logprobs)).toBeLessThan(1e-4);
        });
      });
    } finally {
      wide.dispose();
    }
  });

  it('rejects bad input with a message naming it', () => {
    const decoder = nativeDecoderProvider()!.create(DECODER_CONFIG, hostWeights(), {
      maxRows: 2,
      maxLength: 3,
    })!;
    const one = (token: number, position = 0) => ({
      tokens: Int32Array.of(token),
      positions: Int32Array.of(position),
      mask: Int32Array.of(1),
      rows: 1,
      length: 1,
    });
    expect(() => decoder.forward(one(97))).toThrow(/token id/);
    expect(() => decoder.forward(one(1, 64))).toThrow(/position id/);
    expect(() => decoder.forward({ ...one(1), rows: 3 })).toThrow(/rows/);
    decoder.forward(one(1));
    expect(() => decoder.forward({ ...one(1), keep: Int32Array.of(1) })).toThrow(/keep/);
    decoder.forward(one(2, 1));
    decoder.forward(one(3, 2));
    expect(() => decoder.forward(one(4, 3))).toThrow(/cache is full/);
    decoder.dispose();
    expect(() => decoder.forward(one(1))).toThrow(/disposed/);
  });
});

/** The test model's weights as host arrays, in the spec's shape. */
function hostWeights() {
  const host = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const w = model.weights;
  return {
    tokenEmbedding: host(w.wte),
    positionEmbedding: host(w.wpe),
    layers: w.blocks.map((b) => ({
      ln1Weight: host(b.ln1.weight),
      ln1Bias: host(b.ln1.bias),
      qkvWeight: host(b.cAttn.weight),
      qkvBias: host(b.cAttn.bias),
      outWeight: host(b.attnProj.weight),
      outBias: host(b.attnProj.bias),
      ln2Weight: host(b.ln2.weight),
      ln2Bias: host(b.ln2.bias),
      upWeight: host(b.fc.weight),
      upBias: host(b.fc.bias),
      downWeight: host(b.mlpProj.weight),
      downBias: host(b.mlpProj.bias),
    })),
    finalNormWeight: host(w.lnF.weight),
    finalNormBias: host(w.lnF.bias),
  };
}
