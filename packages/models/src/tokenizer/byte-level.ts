import type { AddedTokenJson, TokenizerJson } from './tokenizer-files';

/**
 * GPT-2's reversible byte-to-character table: printable Latin-1 bytes map to themselves and the rest
 * to code points from 256 up, so every byte sequence becomes a string of visible characters and BPE
 * vocabularies never contain raw whitespace or control bytes. Index = byte value.
 */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

function buildByteToChar(): string[] {
  const isPrintable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const table: string[] = [];
  let nextUnprintable = 256;
  for (let byte = 0; byte < 256; byte++) {
    table.push(String.fromCodePoint(isPrintable(byte) ? byte : nextUnprintable++));
  }
  return table;
}

/**
 * GPT-2's pre-tokenization regex: contractions, letter runs, digit runs and punctuation runs, each
 * with at most one leading space, and whitespace runs that leave the last space to the next word.
 */
export const GPT2_SPLIT_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const utf8 = new TextEncoder();

/** The byte-level spelling of a text piece (its UTF-8 bytes mapped through {@link BYTE_TO_CHAR}). */
export function toByteLevel(text: string): string {
  let spelled = '';
  for (const byte of utf8.encode(text)) spelled += BYTE_TO_CHAR[byte];
  return spelled;
}

/** An added-token entry for a special token, as the Rust library writes one. */
export function specialAddedToken(id: number, content: string): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * The base vocabulary of a byte-level tokenizer: one id per byte (id = byte value, so any text
 * encodes), then `specials` as special added tokens with the next ids.
 */
export function byteVocabulary(specials: readonly string[]): {
  vocab: Record<string, number>;
  addedTokens: AddedTokenJson[];
} {
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((char, byte) => {
    vocab[char] = byte;
  });
  const addedTokens = specials.map((content, index) =>
    specialAddedToken(BYTE_TO_CHAR.length + index, content),
  );
  for (const token of addedTokens) vocab[token.content] = token.id;
  return { vocab, addedTokens };
}

/** What a GPT-2-style byte-level BPE tokenizer.json is made of. */
export interface ByteLevelBpeParts {
  /** Token (byte-level spelling) to id, including the special tokens. */
  vocab: Record<string, number>;
  /** Merges in priority order, each `"left right"`. */
  merges: string[];
  /** Special tokens, also present in `vocab`. */
  addedTokens: AddedTokenJson[];
}

/**
 * A tokenizer.json for a byte-level BPE with GPT-2's pipeline: ByteLevel pre-tokenizer (GPT-2 regex,
 * no prefix space), BPE model without unknown token, ByteLevel decoder.
 */
export function byteLevelBpeTokenizerJson(parts: ByteLevelBpeParts): TokenizerJson {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.addedTokens,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: parts.vocab,
      merges: parts.merges,
    },
  };
}
