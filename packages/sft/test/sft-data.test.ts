import { Rng, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { padCollate } from '../src/collate';
import { findLastSubsequence, maskToResponse } from '../src/completion-only';
import { sftConfigSchema } from '../src/config';
import { neftuneNoise } from '../src/neftune';
import { packSequences } from '../src/packing';
import { prepareSFTDataset } from '../src/prepare';
import { IGNORE_INDEX as X } from '../src/tokenize';
import { tinyTokenizer, useTestBackend } from './helpers';

beforeAll(useTestBackend);

describe('completion-only masking', () => {
  it('masks everything up to and including the template, on hand-built rows', () => {
    const template = [7, 8];
    const row = { inputIds: [1, 2, 7, 8, 3, 4], labels: [1, 2, 7, 8, 3, 4] };
    expect(maskToResponse(row, template)).toEqual({
      example: { inputIds: row.inputIds, labels: [X, X, X, X, 3, 4] },
      found: true,
    });
    // The last occurrence wins, as TRL's collator: a template inside the prompt is masked over.
    const twice = { inputIds: [7, 8, 5, 7, 8, 9], labels: [7, 8, 5, 7, 8, 9] };
    expect(maskToResponse(twice, template).example.labels).toEqual([X, X, X, X, X, 9]);
    // A template at the very end leaves nothing to learn but is still "found".
    expect(maskToResponse({ inputIds: [1, 7, 8], labels: [1, 7, 8] }, template)).toEqual({
      example: { inputIds: [1, 7, 8], labels: [X, X, X] },
      found: true,
    });
    // Absent (or only a prefix of it present): every label masked, reported as not found.
    expect(maskToResponse({ inputIds: [1, 7, 3], labels: [1, 7, 3] }, template)).toEqual({
      example: { inputIds: [1, 7, 3], labels: [X, X, X] },
      found: false,
    });
    expect(findLastSubsequence([1, 2, 3], [2, 3, 4])).toBe(-1);
  });

  it('masks tokenized text rows and counts the rows without the template', () => {
    const tokenizer = tinyTokenizer();
    const config = sftConfigSchema.parse({ responseTemplate: '### A:' });
    const templateIds = tokenizer.encode('### A:');
    const { examples, stats } = prepareSFTDataset(
      [{ text: 'Q? ### A: yes' }, { text: 'no template here' }, { text: '### A:ok' }],
      {
        config,
        tokenizer,
        maxSeqLength: 64,
        responseTemplateIds: templateIds,
        eosTokenId: 256,
        split: 'train',
      },
    );
    expect(stats).toMatchObject({ rows: 3, examples: 3, withoutResponseTemplate: 1 });
    const first = examples[0];
    const kept = first?.labels.filter((label) => label !== X) ?? [];
    expect(tokenizer.decode(kept)).toBe(' yes');
    expect(first?.labels.slice(0, 'Q? ### A:'.length).every((label) => label === X)).toBe(true);
    expect(examples[1]?.labels.every((label) => label === X)).toBe(true);
    expect(tokenizer.decode((examples[2]?.labels ?? []).filter((label) => label !== X))).toBe('ok');
  });

  it('masks the prompt of prompt/completion rows', () => {
    const tokenizer = tinyTokenizer();
    const config = sftConfigSchema.parse({});
    const { examples } = prepareSFTDataset([{ prompt: 'ab', completion: 'cd' }], {
      config,
      tokenizer,
      maxSeqLength: 64,
      eosTokenId: 256,
      split: 'train',
    });
    expect(examples[0]).toEqual({ inputIds: [97, 98, 99, 100], labels: [X, X, 99, 100] });
  });

  it('fails clearly on a template that never occurs, a missing field and an empty dataset', () => {
    const tokenizer = tinyTokenizer();
    const base = { tokenizer, maxSeqLength: 8, eosTokenId: 256, split: 'train' };
    const config = sftConfigSchema.parse({ responseTemplate: '##' });
    // The template sits past the truncation point, so no tokenized row holds it.
    expect(() =>
      prepareSFTDataset([{ text: 'aaaaaaaaaa ## x' }], {
        ...base,
        config,
        responseTemplateIds: tokenizer.encode('##'),
      }),
    ).toThrow(
      /responseTemplate "##" \(ids \[35, 35\]\) never occurs in the train dataset's 1 tokenized rows \(after truncation to 8\)/,
    );
    expect(() =>
      prepareSFTDataset([{ text: 'ok' }, { body: 'x' }], { ...base, config: sftConfigSchema.parse({}) }),
    ).toThrow(/row 1 has no string field "text" \(fields: body\)\. Set datasetTextField/);
    expect(() => prepareSFTDataset([], { ...base, config: sftConfigSchema.parse({}) })).toThrow(
      /train dataset is empty/,
    );
  });
});

describe('packing (ConstantLengthDataset)', () => {
  it('joins examples with eos and cuts fixed-length chunks, dropping each buffer tail', () => {
    const E = 0;
    const pack = (seqLength: number, bufferChars: number) =>
      packSequences(
        [
          [1, 2, 3],
          [4, 5],
          [6, 7, 8, 9],
        ],
        ['abc', 'de', 'fghi'],
        { seqLength, concatTokenId: E, bufferChars },
      );
    const chunks = pack(4, 1000);
    // 1 2 3 E 4 5 E 6 7 8 9 E → [1 2 3 E] [4 5 E 6] [7 8 9 E]
    expect(chunks.map((chunk) => chunk.inputIds)).toEqual([
      [1, 2, 3, E],
      [4, 5, E, 6],
      [7, 8, 9, E],
    ]);
    expect(chunks.every((chunk) => chunk.labels.join() === chunk.inputIds.join())).toBe(true);
    // Small buffers: each buffer is chunked on its own and its incomplete tail is lost.
    const small = pack(3, 3);
    // buffer 1: 1 2 3 E → [1 2 3]; buffer 2: 4 5 E 6 7 8 9 E → [4 5 E] [6 7 8]
    expect(small.map((chunk) => chunk.inputIds)).toEqual([
      [1, 2, 3],
      [4, 5, E],
      [6, 7, 8],
    ]);
  });
});

describe('padding collator', () => {
  it('pads right with the pad id, mask 0 and label -100', () => {
    const batch = padCollate(
      [
        { inputIds: [5, 6, 7], labels: [X, 6, 7] },
        { inputIds: [8], labels: [8] },
      ],
      257,
    );
    expect(batch).toEqual({
      inputIds: [
        [5, 6, 7],
        [8, 257, 257],
      ],
      attentionMask: [
        [1, 1, 1],
        [1, 0, 0],
      ],
      labels: [
        [X, 6, 7],
        [8, X, X],
      ],
    });
  });
});

describe('NEFTune noise', () => {
  it('adds uniform noise bounded by alpha/sqrt(L·d), reproducible from the rng state', () => {
    const [batch, length, width] = [4, 8, 32];
    const embeddings = tf.ones([batch, length, width]) as tf.Tensor3D;
    const noisy = neftuneNoise(embeddings, 5, new Rng(3));
    const noise = tf.sub(noisy, embeddings);
    const values = [...(noise.dataSync() as Float32Array)];
    const bound = 5 / Math.sqrt(length * width);
    const max = Math.max(...values.map(Math.abs));
    expect(max).toBeLessThanOrEqual(bound + 1e-6);
    expect(max).toBeGreaterThan(0.9 * bound); // uniform over the whole interval
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(bound / 10);
    const variance = values.reduce((sum, value) => sum + value * value, 0) / values.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 2); // variance of U(-m, m)
    const again = neftuneNoise(embeddings, 5, new Rng(3));
    expect([...again.dataSync()]).toEqual([...noisy.dataSync()]);
    expect(() => neftuneNoise(embeddings, 0, new Rng(3))).toThrow(/alpha/);
    tf.dispose([embeddings, noisy, noise, again]);
  });
});
