import { describe, expect, it } from 'vitest';
import { splitMarkers, tokenPieces } from '../src/transcript';

// One token per character, except `<m>`, which is kept whole.
const tokenizer = {
  encode: (text: string) =>
    text.split(/(<m>)/).flatMap((part) => (part === '<m>' ? [0] : [...part].map((ch) => ch.charCodeAt(0)))),
  decode: (ids: number[]) => ids.map((id) => (id === 0 ? '<m>' : String.fromCharCode(id))).join(''),
};

describe('tokenizer checks', () => {
  it('splits a text into its decoded tokens', () => {
    expect(tokenPieces(tokenizer, 'ab<m>c')).toEqual(['a', 'b', '<m>', 'c']);
  });

  it('names the markers that are not one token', () => {
    expect(splitMarkers(tokenizer, ['<m>', '<x>', 'a'])).toEqual(['<x>']);
  });
});
