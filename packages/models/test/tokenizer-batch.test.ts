import { describe, expect, it } from 'vitest';
import { createByteLevelTokenizer } from '../src/tokenizer/index';

// Byte-level ids equal byte values, so expected ids are written by hand: a=97, b=98, c=99; <|pad|>=257.
const A = 97;
const B = 98;
const C = 99;
const PAD = 257;
const EOS = 256;

describe('encodeBatch', () => {
  const tokenizer = createByteLevelTokenizer();

  it('pads to the longest row on the right by default', () => {
    expect(tokenizer.padTokenId).toBe(PAD);
    expect(tokenizer.encodeBatch(['abc', 'a', ''])).toEqual({
      inputIds: [
        [A, B, C],
        [A, PAD, PAD],
        [PAD, PAD, PAD],
      ],
      attentionMask: [
        [1, 1, 1],
        [1, 0, 0],
        [0, 0, 0],
      ],
    });
  });

  it('pads on the left when asked per call or by the tokenizer default', () => {
    const expected = {
      inputIds: [
        [A, B, C],
        [PAD, PAD, A],
      ],
      attentionMask: [
        [1, 1, 1],
        [0, 0, 1],
      ],
    };
    expect(tokenizer.encodeBatch(['abc', 'a'], { paddingSide: 'left' })).toEqual(expected);
    const leftPadded = createByteLevelTokenizer({ paddingSide: 'left' });
    expect(leftPadded.paddingSide).toBe('left');
    expect(leftPadded.encodeBatch(['abc', 'a'])).toEqual(expected);
    expect(leftPadded.encodeBatch(['abc', 'a'], { paddingSide: 'right' }).inputIds[1]).toEqual([A, PAD, PAD]);
  });

  it('pads to maxLength with max_length padding and truncates longer rows keeping the start', () => {
    expect(tokenizer.encodeBatch(['abcabc', 'ab'], { padding: 'max_length', maxLength: 4 })).toEqual({
      inputIds: [
        [A, B, C, A],
        [A, B, PAD, PAD],
      ],
      attentionMask: [
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ],
    });
  });

  it('truncates then pads to the longest truncated row with longest padding', () => {
    expect(tokenizer.encodeBatch(['abcabc', 'a'], { maxLength: 2, paddingSide: 'left' }).inputIds).toEqual([
      [A, B],
      [PAD, A],
    ]);
  });

  it('leaves rows ragged with padding false', () => {
    expect(tokenizer.encodeBatch(['abc', 'a'], { padding: false })).toEqual({
      inputIds: [[A, B, C], [A]],
      attentionMask: [[1, 1, 1], [1]],
    });
  });

  it('falls back to eos for padding when there is no pad token', () => {
    const noPad = createByteLevelTokenizer({ specialTokens: ['<|endoftext|>'] });
    expect(noPad.padTokenId).toBeUndefined();
    expect(noPad.encodeBatch(['ab', 'a']).inputIds).toEqual([
      [A, B],
      [A, EOS],
    ]);
  });

  it('explains a batch that needs padding but has no pad or eos token', () => {
    const bare = createByteLevelTokenizer({ specialTokens: [] });
    expect(bare.encodeBatch(['ab', 'ab']).inputIds).toEqual([
      [A, B],
      [A, B],
    ]);
    expect(() => bare.encodeBatch(['ab', 'a'])).toThrow(/neither a pad nor an eos token.*setSpecialTokens/);
  });

  it('rejects bad options and inputs with messages naming them', () => {
    expect(() => tokenizer.encodeBatch(['a'], { padding: 'max_length' })).toThrow(
      /"max_length" needs maxLength/,
    );
    expect(() => tokenizer.encodeBatch(['a'], { maxLength: 0 })).toThrow(/option maxLength is invalid/);
    expect(() => tokenizer.encodeBatch(['a'], { maxLength: 1.5 })).toThrow(/option maxLength is invalid/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.encodeBatch(['a'], { paddingSide: 'top' })).toThrow(
      /option paddingSide is invalid/,
    );
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.encodeBatch(['a'], { padding: 'longer' })).toThrow(/option padding is invalid/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.encodeBatch('abc')).toThrow(/texts must be an array of strings/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.encodeBatch(['a', 3])).toThrow(/texts\[1\] must be a string/);
  });

  it('returns an empty batch for no texts', () => {
    expect(tokenizer.encodeBatch([])).toEqual({ inputIds: [], attentionMask: [] });
  });
});

describe('decode and decodeBatch input checks', () => {
  const tokenizer = createByteLevelTokenizer();

  it('decodes rows and names out-of-range or non-integer ids', () => {
    expect(
      tokenizer.decodeBatch(
        [
          [A, B],
          [C, PAD],
        ],
        { skipSpecialTokens: true },
      ),
    ).toEqual(['ab', 'c']);
    expect(() => tokenizer.decode([A, 258])).toThrow(/ids\[1\] = 258 is not a token id.*\[0, 258\)/);
    expect(() => tokenizer.decode([-1])).toThrow(/ids\[0\] = -1/);
    expect(() => tokenizer.decode([1.5])).toThrow(/ids\[0\] = 1.5/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.decode('ab')).toThrow(/decode: ids must be an array of token ids/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.encode(42)).toThrow(/encode: text must be a string, got 42/);
  });

  it('validates the padding side setter', () => {
    const local = createByteLevelTokenizer();
    local.paddingSide = 'left';
    expect(local.encodeBatch(['ab', 'a']).inputIds[1]).toEqual([PAD, A]);
    // @ts-expect-error testing a bad runtime value
    expect(() => (local.paddingSide = 'middle')).toThrow(/paddingSide must be "left" or "right"/);
  });
});
