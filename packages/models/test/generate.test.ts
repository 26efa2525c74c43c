import { type GenerationResult, initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { TINY_GPT2_DIR } from '../../test-kit/src/fixtures';
import { AutoModelForCausalLM } from '../src/auto/auto-model-for-causal-lm';
import type { Gpt2LMHeadModel } from '../src/gpt2/model';
import { idTokenizer } from './helpers/id-tokenizer';

const prompts = [
  [37, 235, 396],
  [460, 71, 237, 508, 390, 281, 178],
  [5, 6, 7, 8, 9],
];

/** Log-softmax of `row / temperature` at `id`, in float64. */
function logSoftmaxAt(row: ArrayLike<number>, id: number, temperature = 1): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! / temperature - max);
  return row[id]! / temperature - max - Math.log(sum);
}

/** Greedy decoding of one unpadded row by full forward passes (no cache), stopping at `eos`. */
/**
 * The same continuation decoded in a differently shaped batch: the same ids, end and stop string,
 * and logprobs within float32 rounding (a backend may reduce a [3, n] and a [1, n] matmul in a different order).
 */
function expectSameGeneration(
  actual: GenerationResult | undefined,
  expected: GenerationResult | undefined,
): void {
  const { logprobs, ...rest } = actual!;
  const { logprobs: expectedLogprobs, ...expectedRest } = expected!;
  expect(rest).toEqual(expectedRest);
  expect(logprobs).toHaveLength(expectedLogprobs.length);
  for (const [t, lp] of logprobs.entries()) expect(lp).toBeCloseTo(expectedLogprobs[t]!, 5);
}

function greedyWithoutCache(model: Gpt2LMHeadModel, prompt: number[], steps: number, eos?: number) {
  const ids = [...prompt];
  const logprobs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const last = tf.tidy(() => {
      const { logits } = model.forward({ inputIds: tf.tensor2d([ids], undefined, 'int32') });
      return tf.squeeze(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1])).dataSync();
    });
    let best = 0;
    for (let i = 1; i < last.length; i++) if (last[i]! > last[best]!) best = i;
    ids.push(best);
    logprobs.push(logSoftmaxAt(last, best));
    if (best === eos) break;
  }
  return { tokenIds: ids.slice(prompt.length), logprobs };
}

describe('generate', () => {
  let model: Gpt2LMHeadModel;
  beforeAll(async () => {
    await initBackend(testBackend());
    model = await AutoModelForCausalLM.fromPretrained(TINY_GPT2_DIR);
  });
  afterAll(() => model.dispose());

  it('with the KV cache equals decoding without it, also when finished rows leave the batch', async () => {
    const free = prompts.map((p) => greedyWithoutCache(model, p, 10));
    // An eos that ends row 1 early, so the cache is compacted while the other rows go on.
    const eos = free[1]!.tokenIds[3]!;
    const results = await model.generate(prompts, { maxNewTokens: 10, doSample: false, eosTokenId: eos });
    results.forEach((result, i) => {
      const reference = greedyWithoutCache(model, prompts[i]!, 10, eos);
      expect(result.tokenIds).toEqual(reference.tokenIds);
      for (const [t, lp] of result.logprobs.entries()) expect(lp).toBeCloseTo(reference.logprobs[t]!, 4);
      expect(result.finishReason).toBe(reference.tokenIds.at(-1) === eos ? 'eos' : 'length');
    });
    expect(results[1]!.finishReason).toBe('eos');
    expect(results[1]!.tokenIds.length).toBeLessThan(10);
  });

  it('reports sampled logprobs equal to a teacher-forced pass at the same temperature', async () => {
    const temperature = 0.7;
    const results = await model.generate(prompts, {
      maxNewTokens: 6,
      temperature,
      topK: 40,
      topP: 0.9,
      seed: 3,
      eosTokenId: [],
    });
    for (const [i, result] of results.entries()) {
      const full = [...prompts[i]!, ...result.tokenIds];
      const logits = tf.tidy(
        () => model.forward({ inputIds: tf.tensor2d([full], undefined, 'int32') }).logits.arraySync()[0]!,
      );
      result.tokenIds.forEach((id, t) => {
        expect(result.logprobs[t]).toBeCloseTo(
          logSoftmaxAt(logits[prompts[i]!.length - 1 + t]!, id, temperature),
          4,
        );
      });
    }
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const options = { maxNewTokens: 12, seed: 11, eosTokenId: [] };
    const a = await model.generate(prompts, options);
    const b = await model.generate(prompts, options);
    const c = await model.generate(prompts, { ...options, seed: 12 });
    expect(b).toEqual(a);
    expect(c.map((r) => r.tokenIds)).not.toEqual(a.map((r) => r.tokenIds));
  });

  it('keeps only the top-k tokens', async () => {
    const [result] = await model.generate([prompts[0]!], {
      maxNewTokens: 1,
      topK: 1,
      seed: 5,
      eosTokenId: [],
    });
    const [greedy] = await model.generate([prompts[0]!], {
      maxNewTokens: 1,
      doSample: false,
      eosTokenId: [],
    });
    expect(result!.tokenIds).toEqual(greedy!.tokenIds);
  });

  it('stops each row at its own stop strings, checking only the newest text', async () => {
    const tokenizer = idTokenizer(512);
    const free = await model.generate(prompts, { maxNewTokens: 8, doSample: false, eosTokenId: [] });
    const stopAt = [2, 4, 1];
    // Row 0: the token's full text; row 1: a prefix of it (the token runs past the stop string); row 2: none.
    const stops = [[`<${free[0]!.tokenIds[2]}>`], [`<${free[1]!.tokenIds[4]}`], []];
    const results = await model.generate(prompts, {
      maxNewTokens: 8,
      doSample: false,
      eosTokenId: [],
      stopStrings: stops,
      tokenizer,
    });
    for (const row of [0, 1]) {
      const first = free[row]!.tokenIds.indexOf(free[row]!.tokenIds[stopAt[row]!]!);
      expect(results[row]!.tokenIds).toEqual(free[row]!.tokenIds.slice(0, first + 1));
      expect(results[row]!.finishReason).toBe('stop-string');
      expect(results[row]!.stopString).toBe(stops[row]![0]);
    }
    expectSameGeneration(results[2], free[2]);
    expect(results[2]!.finishReason).toBe('length');
  });

  it('stops rows at their stop token ids and honours minNewTokens for eos', async () => {
    const free = await model.generate(prompts, { maxNewTokens: 6, doSample: false, eosTokenId: [] });
    const stopTokenIds = [[free[0]!.tokenIds[1]!], [], []];
    const stopped = await model.generate(prompts, {
      maxNewTokens: 6,
      doSample: false,
      eosTokenId: [],
      stopTokenIds,
    });
    expect(stopped[0]!.finishReason).toBe('stop-token');
    expect(stopped[0]!.tokenIds.at(-1)).toBe(free[0]!.tokenIds[1]);
    expectSameGeneration(stopped[1], free[1]);

    const eos = free[2]!.tokenIds[0]!;
    const early = await model.generate([prompts[2]!], { maxNewTokens: 6, doSample: false, eosTokenId: eos });
    expect(early[0]).toMatchObject({ tokenIds: [eos], finishReason: 'eos' });
    const late = await model.generate([prompts[2]!], {
      maxNewTokens: 6,
      doSample: false,
      eosTokenId: eos,
      minNewTokens: 3,
    });
    expect(late[0]!.tokenIds.length).toBeGreaterThanOrEqual(3);
    expect(late[0]!.tokenIds.slice(0, 3)).not.toContain(eos);
  });

  it('stops with reason length when the context is full', async () => {
    const long = Array.from({ length: 62 }, (_, i) => (i * 7) % 500);
    const [result] = await model.generate([long], { maxNewTokens: 10, doSample: false, eosTokenId: [] });
    expect(result!.tokenIds).toHaveLength(3);
    expect(result!.finishReason).toBe('length');
    const none = await model.generate([long, [1]], { maxNewTokens: 0 });
    expect(none).toEqual([
      { tokenIds: [], logprobs: [], finishReason: 'length' },
      { tokenIds: [], logprobs: [], finishReason: 'length' },
    ]);
  });

  it('rejects bad options by name', async () => {
    await expect(model.generate([[]], { maxNewTokens: 2 })).rejects.toThrow(/prompts\[0\] is empty/);
    await expect(model.generate([[1]], { maxNewTokens: 2, temperature: 0 })).rejects.toThrow(
      /temperature must be/,
    );
    await expect(model.generate([[1]], { maxNewTokens: 2, stopStrings: ['x'] })).rejects.toThrow(
      /need options\.tokenizer/,
    );
    await expect(model.generate([[1], [2]], { maxNewTokens: 2, stopTokenIds: [[1]] })).rejects.toThrow(
      /one list per prompt/,
    );
    await expect(model.generate([[1]], { maxNewTokens: 2, padTokenId: 999 })).rejects.toThrow(
      /padTokenId 999/,
    );
    await expect(model.generate([[1]], { maxNewTokens: 2, topk: 5 } as never)).rejects.toThrow(
      'generate(): invalid options: topk: unknown option; did you mean topK?',
    );
    await expect(model.generate([[1]], { maxNewTokens: 2, do_sample: false } as never)).rejects.toThrow(
      /do_sample: .*trl-ts spells it doSample/,
    );
    await expect(model.generate([[1]], { maxNewTokens: 2, maxLength: 9 } as never)).rejects.toThrow(
      /maxLength: unknown option; trl-ts bounds new tokens only; use maxNewTokens/,
    );
  });

  it('leaks no tensors across calls', async () => {
    const options = {
      maxNewTokens: 5,
      seed: 1,
      stopStrings: [['<3>'], [], ['<7']],
      tokenizer: idTokenizer(512),
    };
    await model.generate(prompts, options);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.generate(prompts, { ...options, seed: i });
    expect(tf.memory().numTensors).toBe(before);
  });
});
