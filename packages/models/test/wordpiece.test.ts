import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TINY_WORDPIECE_DIR,
  TINY_WORDPIECE_VOCAB_DIR,
  type WordPieceExpected,
  wordPieceExpected,
} from '../../test-kit/src/fixtures';
import { AutoTokenizer } from '../src/tokenizer/auto-tokenizer';
import type { HuggingFaceTokenizer } from '../src/tokenizer/huggingface-tokenizer';

/** How many texts and pairs the tokenizer encodes exactly as recorded, and the first mismatches. */
function agreement(tokenizer: HuggingFaceTokenizer, expected: WordPieceExpected) {
  const mismatches: string[] = [];
  let single = 0;
  expected.texts.forEach((text, i) => {
    const got = tokenizer.encodeWithTokenTypes(text);
    const want = expected.single[i]!;
    if (JSON.stringify(got) === JSON.stringify({ ids: want.ids, tokenTypeIds: want.token_type_ids }))
      single++;
    else
      mismatches.push(`${JSON.stringify(text)}: ${JSON.stringify(got.ids)} vs ${JSON.stringify(want.ids)}`);
  });
  let pair = 0;
  expected.pairs.forEach(([a, b], i) => {
    const got = tokenizer.encodeWithTokenTypes(a, { textPair: b });
    const want = expected.pair[i]!;
    if (JSON.stringify(got) === JSON.stringify({ ids: want.ids, tokenTypeIds: want.token_type_ids })) pair++;
    else mismatches.push(`${JSON.stringify([a, b])}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  });
  return { single, pair, mismatches: mismatches.slice(0, 5) };
}

function expectFullAgreement(tokenizer: HuggingFaceTokenizer, expected: WordPieceExpected, label: string) {
  const result = agreement(tokenizer, expected);
  console.log(
    `${label}: ${result.single}/${expected.texts.length} texts, ${result.pair}/${expected.pairs.length} pairs exact`,
  );
  expect(result).toEqual({ single: expected.texts.length, pair: expected.pairs.length, mismatches: [] });
}

describe('WordPiece tokenizer.json (built by the tokenizers library)', () => {
  const expected = wordPieceExpected(TINY_WORDPIECE_DIR);

  it('has ~100 varied texts and pairs to compare', () => {
    expect(expected.texts.length).toBeGreaterThanOrEqual(90);
    expect(expected.pairs.length).toBeGreaterThanOrEqual(10);
  });

  it('encodes every text and pair with the recorded ids and token type ids', async () => {
    expectFullAgreement(await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR), expected, 'tokenizer.json');
  });

  it('adds [CLS]/[SEP] by default through encode, and nothing with addSpecialTokens false', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR);
    expect(expected.texts.map((text) => tokenizer.encode(text))).toEqual(expected.single.map((e) => e.ids));
    expect(expected.texts.map((text) => tokenizer.encode(text, { addSpecialTokens: false }))).toEqual(
      expected.single_without_special_tokens,
    );
    expect([tokenizer.padTokenId, tokenizer.tokenToId('[CLS]'), tokenizer.tokenToId('[SEP]')]).toEqual([
      0, 2, 3,
    ]);
  });

  it('truncates batches as the tokenizers library does: the text is cut, [CLS] and [SEP] stay', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR);
    const batch = tokenizer.encodeBatch(expected.texts, { maxLength: expected.truncate_to!, padding: false });
    expect(batch.inputIds).toEqual(expected.single_truncated);
    expect(batch.inputIds.filter((row) => row.length === expected.truncate_to).length).toBeGreaterThan(40);
  });

  it('refuses a textPair that is not a string', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR);
    expect(() => tokenizer.encodeWithTokenTypes('a', { textPair: 3 as unknown as string })).toThrow(
      /textPair must be a string, got/,
    );
  });
});

describe('WordPiece from a vocab.txt folder (no tokenizer.json)', () => {
  it('matches transformers BertTokenizer on the cased folder (do_lower_case false)', async () => {
    const expected = wordPieceExpected(TINY_WORDPIECE_VOCAB_DIR);
    expectFullAgreement(
      await AutoTokenizer.fromPretrained(TINY_WORDPIECE_VOCAB_DIR),
      expected,
      'vocab.txt, cased',
    );
  });

  it('matches the tokenizers-built tokenizer.json from the same vocab.txt and an uncased config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-wordpiece-'));
    for (const file of ['vocab.txt', 'tokenizer_config.json'])
      copyFileSync(join(TINY_WORDPIECE_DIR, file), join(dir, file));
    expectFullAgreement(
      await AutoTokenizer.fromPretrained(dir),
      wordPieceExpected(TINY_WORDPIECE_DIR),
      'vocab.txt, uncased',
    );
  });

  it('lower-cases and strips accents by default, as BertTokenizer, when the folder has no tokenizer_config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-wordpiece-'));
    copyFileSync(join(TINY_WORDPIECE_DIR, 'vocab.txt'), join(dir, 'vocab.txt'));
    const tokenizer = await AutoTokenizer.fromPretrained(dir);
    const expected = wordPieceExpected(TINY_WORDPIECE_DIR);
    const index = expected.texts.indexOf('CAFÉ NAÏVE');
    expect(tokenizer.encodeWithTokenTypes('CAFÉ NAÏVE').ids).toEqual(expected.single[index]!.ids);
  });

  it('refuses a vocab.txt folder of a tokenizer class that is not BERT-style', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-wordpiece-'));
    copyFileSync(join(TINY_WORDPIECE_DIR, 'vocab.txt'), join(dir, 'vocab.txt'));
    const config = JSON.parse(readFileSync(join(TINY_WORDPIECE_DIR, 'tokenizer_config.json'), 'utf8'));
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ ...config, tokenizer_class: 'XLMTokenizer' }),
    );
    await expect(AutoTokenizer.fromPretrained(dir)).rejects.toThrow(/tokenizer_class "XLMTokenizer"/);
  });

  it('keeps vocab.txt lines named like Object.prototype members as ordinary tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-wordpiece-'));
    const lines = readFileSync(join(TINY_WORDPIECE_DIR, 'vocab.txt'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'vocab.txt'), [...lines, '__proto__', 'hasOwnProperty', ''].join('\n'));
    const tokenizer = await AutoTokenizer.fromPretrained(dir);
    // Each line's id is its line number, and nothing else grows the vocabulary.
    expect(tokenizer.vocabSize).toBe(lines.length + 2);
    expect(tokenizer.tokenToId('__proto__')).toBe(lines.length);
    expect(tokenizer.tokenToId('hasOwnProperty')).toBe(lines.length + 1);
    expect(tokenizer.idToToken(lines.length)).toBe('__proto__');
    expect(tokenizer.tokenToId('constructor')).toBeUndefined();
  });

  it('gives a vocab.txt folder without tokenizer_config.json the BertTokenizer special tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trl-wordpiece-'));
    copyFileSync(join(TINY_WORDPIECE_DIR, 'vocab.txt'), join(dir, 'vocab.txt'));
    const lines = readFileSync(join(dir, 'vocab.txt'), 'utf8').trimEnd().split('\n');
    const tokenizer = await AutoTokenizer.fromPretrained(dir);
    expect(tokenizer.padToken).toBe('[PAD]');
    expect(tokenizer.padTokenId).toBe(lines.indexOf('[PAD]'));
    const ids = ['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]'].map((token) => lines.indexOf(token));
    expect(ids.every((id) => id >= 0 && tokenizer.specialTokenIds.has(id))).toBe(true);
    const expected = wordPieceExpected(TINY_WORDPIECE_DIR);
    const index = expected.texts.indexOf('CAFÉ NAÏVE');
    const encoded = tokenizer.encode('CAFÉ NAÏVE');
    expect(encoded).toEqual(expected.single[index]!.ids);
    expect(tokenizer.decode(encoded, { skipSpecialTokens: true })).toBe(
      tokenizer.decode(tokenizer.encode('CAFÉ NAÏVE', { addSpecialTokens: false })),
    );
    const batch = tokenizer.encodeBatch(['a', 'a b c'], { padding: 'longest' });
    expect(batch.inputIds[0]!.at(-1)).toBe(lines.indexOf('[PAD]'));
  });
});
