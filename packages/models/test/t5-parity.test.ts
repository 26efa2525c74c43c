import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { maxAbsDiff } from '../../test-kit/src/fixtures';
import { AutoModelForSeq2SeqLM } from '../src/auto/auto-model-for-seq2seq-lm';
import type { T5ForConditionalGeneration } from '../src/t5/model';

interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  decoder_input_ids: number[][];
  decoder_attention_mask: number[][];
  logits: number[][][];
  logits_without_decoder_attention_mask: number[][][];
  prompts: number[][];
  max_new_tokens: number;
  greedy_ids: number[][];
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ints = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');

/** Logits at the real decoder positions only (padding rows' columns are compared separately). */
function realPositions(logits: number[][][], mask: number[][]): number[] {
  return logits.flatMap((row, r) => row.filter((_, t) => mask[r]![t] === 1).flat());
}

describe.each([
  { name: 't5-relu-tied', tied: true, gated: false },
  { name: 't5-gated-untied', tied: false, gated: true },
])('$name matches transformers', ({ name, tied, gated }) => {
  const expected = JSON.parse(readFileSync(join(fixture(name), 'expected.json'), 'utf8')) as Expected;
  let model: T5ForConditionalGeneration;
  beforeAll(async () => {
    await initBackend(testBackend());
    model = await AutoModelForSeq2SeqLM.fromPretrained(fixture(name));
  });
  afterAll(() => model.dispose());

  const logitsOf = (withDecoderMask: boolean) => {
    const inputs = {
      inputIds: ints(expected.input_ids),
      attentionMask: ints(expected.attention_mask),
      decoderInputIds: ints(expected.decoder_input_ids),
      ...(withDecoderMask ? { decoderAttentionMask: ints(expected.decoder_attention_mask) } : {}),
    };
    const { logits } = model.forward(inputs);
    const values = logits.arraySync();
    tf.dispose([logits, ...Object.values(inputs)]);
    return values;
  };

  it('reads the architecture from config.json', () => {
    expect(model.tiedHead).toBe(tied);
    expect(model.config.gated).toBe(gated);
    expect(model.config.scaleDecoderOutputs).toBe(tied);
    expect(model.info).toMatchObject({
      modelType: 't5',
      hiddenSize: 36,
      decoderStartTokenId: 0,
      eosTokenId: 1,
    });
  });

  it('gives the reference logits on a padded batch within 1e-4', () => {
    const got = logitsOf(true);
    const diff = maxAbsDiff(
      realPositions(got, expected.decoder_attention_mask),
      realPositions(expected.logits, expected.decoder_attention_mask),
    );
    console.log(`${name}: max |Δlogits| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    // Padded decoder positions see only real keys, so they match too.
    expect(maxAbsDiff(got.flat(2), expected.logits.flat(2))).toBeLessThan(1e-4);
  });

  it('gives the reference logits without a decoder mask (causal only)', () => {
    const got = logitsOf(false);
    expect(maxAbsDiff(got.flat(2), expected.logits_without_decoder_attention_mask.flat(2))).toBeLessThan(
      1e-4,
    );
  });

  it('generates the greedy ids of transformers, batched, without the start token', async () => {
    const results = await model.generate(expected.prompts, {
      maxNewTokens: expected.max_new_tokens,
      doSample: false,
    });
    expect(results.map((r) => r.tokenIds)).toEqual(expected.greedy_ids);
    results.forEach((r, i) => {
      expect(r.finishReason).toBe(expected.greedy_ids[i]!.at(-1) === 1 ? 'eos' : 'length');
    });
  });

  it('stops each row at its first eos while the others go on (rows leave the batch)', async () => {
    // Greedy decoding with an eos is the greedy sequence cut after the eos's first occurrence.
    const eos = expected.greedy_ids[2]!.at(2)!;
    const cut = expected.greedy_ids.map((ids) =>
      ids.includes(eos) ? ids.slice(0, ids.indexOf(eos) + 1) : ids,
    );
    const results = await model.generate(expected.prompts, {
      maxNewTokens: expected.max_new_tokens,
      doSample: false,
      eosTokenId: eos,
    });
    expect(results.map((r) => r.tokenIds)).toEqual(cut);
    expect(results.map((r) => r.finishReason)).toEqual(
      cut.map((ids) => (ids.at(-1) === eos ? 'eos' : 'length')),
    );
  });

  it('keeps tf.memory().numTensors stable over forward and generate', async () => {
    const run = async () => {
      tf.dispose(logitsOf(true) as never);
      await model.generate(expected.prompts, { maxNewTokens: 4, doSample: true, seed: 3 });
    };
    await run();
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves in Hugging Face layout and loads back to the same logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-t5-'));
    await model.savePretrained(dir);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.tie_word_embeddings).toBe(tied);
    const loaded = await AutoModelForSeq2SeqLM.fromPretrained(dir);
    const swap = model;
    const a = logitsOf(true);
    model = loaded;
    const b = logitsOf(true);
    model = swap;
    expect(maxAbsDiff(a.flat(2), b.flat(2))).toBe(0);
    loaded.dispose();
  });
});
