import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as referenceEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, type HuggingFaceTokenizer } from '../src/tokenizer/index';

const GPT2_DIR = new URL('./fixtures/tokenizers/gpt2', import.meta.url).pathname;
const END_OF_TEXT = 50256;

const TRICKY_STRINGS = [
  'Hello world',
  ' leading space',
  'trailing space ',
  '  multiple   spaces   inside  ',
  '   ',
  '\n',
  'line one\nline two\n\n\nline five\n',
  'windows\r\nline endings\r\n',
  'tabs\tand\t\tmore tabs\t',
  'emoji 🤗🎉 family 👩‍👩‍👧 flag 🇫🇷',
  '中文字符和日本語のテキスト、한국어도',
  'café naïve résumé Ångström São Paulo',
  'combining e\u0301 and zero\u200bwidth',
  "don't I'll we've they're she's I'm he'd",
  "DON'T WE'VE 'quoted' rock'n'roll",
  'def add(a, b):\n    return a + b  # sum\n\nprint(add(1, 2))',
  'const x = { "key": [1, 2, 3] };\n\tif (x) { y++; }',
  '3.14159 1,000,000 2024-01-01 0x1F 1e-9 42nd',
  'العربية עברית Русский Ελληνικά',
  '!!!???...---___***',
  'a',
];

let gpt2: HuggingFaceTokenizer;
beforeAll(async () => {
  gpt2 = await AutoTokenizer.fromPretrained(GPT2_DIR);
});

describe('GPT-2 tokenizer fixture', () => {
  it('has GPT-2 vocabulary size and <|endoftext|> as eos and bos, with no pad token', () => {
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.eosTokenId).toBe(END_OF_TEXT);
    expect(gpt2.bosTokenId).toBe(END_OF_TEXT);
    expect(gpt2.padTokenId).toBeUndefined();
    expect(gpt2.tokenToId('<|endoftext|>')).toBe(END_OF_TEXT);
    expect([...gpt2.specialTokenIds]).toEqual([END_OF_TEXT]);
    expect(gpt2.paddingSide).toBe('right');
    expect(gpt2.specificationVersion).toBe('v1');
  });

  it.each(TRICKY_STRINGS)('matches gpt-tokenizer r50k_base on %j', (text) => {
    expect(gpt2.encode(text)).toEqual(referenceEncode(text));
  });

  it.each(TRICKY_STRINGS)('round-trips %j through decode', (text) => {
    expect(gpt2.decode(gpt2.encode(text))).toBe(text);
  });

  it('matches gpt-tokenizer on a long pseudo-random mix of scripts, spaces and punctuation', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      '  ',
      '\n',
      '\t',
      'é',
      '中',
      '🤗',
      "'s",
      "'ll",
      '.',
      ',',
      '7',
      '42',
      '-',
      '"',
      'ß',
      'İ',
    ];
    let state = 12345;
    let text = '';
    for (let i = 0; i < 5000; i++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      text += alphabet[state % alphabet.length];
    }
    const ids = gpt2.encode(text);
    expect(ids).toEqual(referenceEncode(text));
    expect(gpt2.decode(ids)).toBe(text);
  });

  it('knows well-known GPT-2 ids', () => {
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    expect(gpt2.tokenToId('Ġthe')).toBe(262);
    expect(gpt2.idToToken(262)).toBe('Ġthe');
    expect(gpt2.tokenToId('not-a-token-at-all')).toBeUndefined();
  });

  it('encodes <|endoftext|> as one special id and splits the text around it', () => {
    const text = 'First document.<|endoftext|> Second one';
    const expected = [...referenceEncode('First document.'), END_OF_TEXT, ...referenceEncode(' Second one')];
    expect(gpt2.encode(text)).toEqual(expected);
    expect(gpt2.decode(expected)).toBe(text);
  });

  it('drops special tokens only when skipSpecialTokens is set', () => {
    const ids = [...gpt2.encode('Hi there'), END_OF_TEXT, END_OF_TEXT];
    expect(gpt2.decode(ids)).toBe('Hi there<|endoftext|><|endoftext|>');
    expect(gpt2.decode(ids, { skipSpecialTokens: true })).toBe('Hi there');
    expect(gpt2.decode([END_OF_TEXT], { skipSpecialTokens: true })).toBe('');
  });

  it('adds no special tokens with addSpecialTokens, as GPT-2 in transformers', () => {
    expect(gpt2.encode('Hello', { addSpecialTokens: true })).toEqual(
      gpt2.encode('Hello', { addSpecialTokens: false }),
    );
  });

  it('handles empty input', () => {
    expect(gpt2.encode('')).toEqual([]);
    expect(gpt2.decode([])).toBe('');
  });

  it('decodes an incomplete UTF-8 sequence to the replacement character', () => {
    const ids = gpt2.encode('🤗');
    expect(ids.length).toBeGreaterThan(1);
    expect(gpt2.decode(ids.slice(0, 1))).toBe('\uFFFD');
  });

  it('pads a batch with eos on the configured side when there is no pad token', () => {
    const batch = gpt2.encodeBatch(['Hello world', 'Hi'], { paddingSide: 'left' });
    expect(batch.inputIds).toEqual([
      [15496, 995],
      [END_OF_TEXT, 17250],
    ]);
    expect(batch.attentionMask).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(gpt2.decodeBatch(batch.inputIds, { skipSpecialTokens: true })).toEqual(['Hello world', 'Hi']);
  });

  it('is reproduced byte for byte by scripts/make-gpt2-tokenizer.mjs', () => {
    const output = mkdtempSync(join(tmpdir(), 'trl-gpt2-fixture-'));
    try {
      const script = new URL('../scripts/make-gpt2-tokenizer.mjs', import.meta.url).pathname;
      execFileSync(process.execPath, [script, output], { stdio: 'pipe' });
      for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
        expect(readFileSync(join(output, file), 'utf8')).toBe(readFileSync(join(GPT2_DIR, file), 'utf8'));
      }
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
