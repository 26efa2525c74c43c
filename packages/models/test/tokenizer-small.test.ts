import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, createByteLevelTokenizer, trainBpeTokenizer } from '../src/tokenizer/index';

const scratch = mkdtempSync(join(tmpdir(), 'trl-small-tokenizers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SAMPLES = [
  'The calculator says 2 + 2 = 4.',
  '  spaced   out\ttext\n\nwith lines ',
  'emoji 🤗 中文 café',
  '<request><Calculator>12*7<call>84<response> The answer is 84.<submit><|endoftext|>',
];

describe('createByteLevelTokenizer', () => {
  const tokenizer = createByteLevelTokenizer();

  it('maps each byte to its value and puts special tokens after the 256 bytes', () => {
    expect(tokenizer.vocabSize).toBe(258);
    expect(tokenizer.eosTokenId).toBe(256);
    expect(tokenizer.bosTokenId).toBe(256);
    expect(tokenizer.padTokenId).toBe(257);
    expect(tokenizer.encode('Hi é')).toEqual([72, 105, 32, 0xc3, 0xa9]);
    expect(tokenizer.encode('a<|endoftext|>b<|pad|>')).toEqual([97, 256, 98, 257]);
  });

  it.each(SAMPLES)('round-trips %j', (text) => {
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('registers protocol strings as special tokens when requested', () => {
    const withTools = createByteLevelTokenizer({
      specialTokens: [
        '<|endoftext|>',
        '<|pad|>',
        '<request>',
        '<Calculator>',
        '<call>',
        '<response>',
        '<submit>',
      ],
    });
    const ids = withTools.encode('<request><Calculator>2+2<call>');
    expect(ids).toEqual([258, 259, 50, 43, 50, 260]);
    expect(withTools.additionalSpecialTokens).toEqual([
      '<request>',
      '<Calculator>',
      '<call>',
      '<response>',
      '<submit>',
    ]);
    expect(withTools.decode(withTools.encode('<submit>'))).toBe('<submit>');
  });

  it('rejects special tokens that are single byte characters and bad options', () => {
    expect(() => createByteLevelTokenizer({ specialTokens: ['!'] })).toThrow(/"!" is already a byte token/);
    expect(() => createByteLevelTokenizer({ specialTokens: [''] })).toThrow(
      /createByteLevelTokenizer: option specialTokens.0 is invalid/,
    );
    // @ts-expect-error testing a bad runtime value
    expect(() => createByteLevelTokenizer({ paddingSide: 'up' })).toThrow(/option paddingSide is invalid/);
  });
});

describe('trainBpeTokenizer', () => {
  it('learns the merges derived by hand on a tiny corpus', () => {
    // Words (GPT-2 regex): "ab" x1, " ab" x2, "abc" x1. Pair counts: (a,b)=4, (Ġ,a)=2, (b,c)=1 → merge "a b".
    // Then (Ġ,ab)=2, (ab,c)=1 → merge "Ġ ab"; (ab,c)=1 is below minFrequency 2, so training stops.
    const tokenizer = trainBpeTokenizer(['ab ab ab', 'abc'], {
      vocabSize: 1000,
      specialTokens: ['<|endoftext|>'],
    });
    const files = tokenizer.toFiles();
    expect(files.tokenizerJson.model['merges']).toEqual(['a b', 'Ġ ab']);
    expect(tokenizer.vocabSize).toBe(256 + 1 + 2);
    expect(tokenizer.tokenToId('ab')).toBe(257);
    expect(tokenizer.tokenToId('Ġab')).toBe(258);
    expect(tokenizer.encode('ab abc')).toEqual([257, 258, 99]);
  });

  it('stops at vocabSize and breaks frequency ties by smallest ids', () => {
    // "ba" and "ab" each appear 3 times; (a=97,b=98) < (b=98,a=97) so "a b" wins the tie; one merge fits.
    const tokenizer = trainBpeTokenizer(['ab', 'ab', 'ab', 'ba', 'ba', 'ba'], {
      vocabSize: 257,
      specialTokens: [],
    });
    expect(tokenizer.toFiles().tokenizerJson.model['merges']).toEqual(['a b']);
    expect(tokenizer.vocabSize).toBe(257);
  });

  it('never merges across special tokens and is deterministic', () => {
    const corpus = ['x<|endoftext|>x<|endoftext|>x<|endoftext|>'];
    const tokenizer = trainBpeTokenizer(corpus, { vocabSize: 300 });
    expect(tokenizer.toFiles().tokenizerJson.model['merges']).toEqual([]);
    const corpusB = Array.from({ length: 50 }, (_, i) => `line ${i % 7}: the cat sat on the mat`);
    const first = trainBpeTokenizer(corpusB, { vocabSize: 300 }).toFiles().tokenizerJson;
    const second = trainBpeTokenizer([...corpusB].reverse(), { vocabSize: 300 }).toFiles().tokenizerJson;
    expect(second).toEqual(first);
  });

  it('compresses text it was trained on and round-trips unseen text', () => {
    const corpus = Array.from(
      { length: 400 },
      (_, i) => `Question: what is ${i} plus ${i + 1}? Answer: ${2 * i + 1}.\n`,
    );
    const tokenizer = trainBpeTokenizer(corpus, { vocabSize: 400 });
    expect(tokenizer.vocabSize).toBe(400);
    const text = 'Question: what is 5 plus 6? Answer: 11.';
    expect(tokenizer.encode(text).length).toBeLessThan(text.length / 2);
    for (const sample of SAMPLES) expect(tokenizer.decode(tokenizer.encode(sample))).toBe(sample);
  });

  it('trains on a corpus of about a megabyte', () => {
    const words = ['reward', 'policy', 'value', 'token', 'model', 'the', 'of', 'gradient', 'ratio', 'clip'];
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 1_000_000; i++) {
      const line = `${words[i % 10]} ${words[(i * 7) % 10]} ${i % 1000}, ${words[(i * 3) % 10]}.\n`;
      lines.push(line);
      size += line.length;
    }
    const tokenizer = trainBpeTokenizer(lines, { vocabSize: 2000 });
    expect(tokenizer.vocabSize).toBeGreaterThan(300);
    expect(tokenizer.decode(tokenizer.encode(lines[5] as string))).toBe(lines[5]);
  });

  it('rejects bad corpora and options', () => {
    expect(() => trainBpeTokenizer(['a'], { vocabSize: 100 })).toThrow(
      /vocabSize 100 is smaller than the 256 byte tokens plus 2 special tokens; use at least 258/,
    );
    expect(() => trainBpeTokenizer('just a string', { vocabSize: 300 })).toThrow(
      /corpus must be an iterable of strings .*wrap a single text in an array/,
    );
    // @ts-expect-error testing a bad runtime value
    expect(() => trainBpeTokenizer(['ok', 7], { vocabSize: 300 })).toThrow(/corpus item 1 is not a string/);
    expect(() => trainBpeTokenizer(['a'], { vocabSize: 300, minFrequency: 0 })).toThrow(
      /option minFrequency is invalid/,
    );
    // @ts-expect-error testing a missing option
    expect(() => trainBpeTokenizer(['a'], {})).toThrow(/option vocabSize is invalid/);
  });
});

describe('savePretrained and AutoTokenizer', () => {
  it.each([
    [
      'byte-level',
      () => createByteLevelTokenizer({ specialTokens: ['<|endoftext|>', '<|pad|>', '<submit>'] }),
    ],
    ['trained BPE', () => trainBpeTokenizer(SAMPLES.concat(SAMPLES), { vocabSize: 320, minFrequency: 1 })],
  ])('saves a %s tokenizer that loads back with identical ids', async (name, make) => {
    const original = make();
    original.addTokens(['<request>', '<Calculator>']);
    original.paddingSide = 'left';
    const directory = join(scratch, name);
    await original.savePretrained(directory);

    const config = JSON.parse(readFileSync(join(directory, 'tokenizer_config.json'), 'utf8'));
    expect(config.eos_token).toBe('<|endoftext|>');
    expect(config.padding_side).toBe('left');
    const map = JSON.parse(readFileSync(join(directory, 'special_tokens_map.json'), 'utf8'));
    expect(map.pad_token).toBe('<|pad|>');

    const loaded = await AutoTokenizer.fromPretrained(directory);
    for (const sample of SAMPLES) expect(loaded.encode(sample)).toEqual(original.encode(sample));
    expect(loaded.vocabSize).toBe(original.vocabSize);
    expect(loaded.eosTokenId).toBe(original.eosTokenId);
    expect(loaded.padTokenId).toBe(original.padTokenId);
    expect(loaded.paddingSide).toBe('left');
    expect([...loaded.specialTokenIds].sort()).toEqual([...original.specialTokenIds].sort());
    expect(loaded.tokenToId('<request>')).toBe(original.tokenToId('<request>'));
    expect(loaded.toFiles()).toEqual(original.toFiles());
  });
});
