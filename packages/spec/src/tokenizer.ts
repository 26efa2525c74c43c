import type { SpecificationVersion } from './version';

/** Which side of a sequence padding goes on. Generation needs `left`. */
export type PaddingSide = 'left' | 'right';

/** Options for encoding text. */
export interface EncodeOptions {
  /** Add the tokenizer's bos/eos as its post-processor defines. Default false for GPT-2-style tokenizers. */
  addSpecialTokens?: boolean;
}

/** Options for decoding token ids. */
export interface DecodeOptions {
  /** Drop special tokens (pad, eos, added special tokens) from the text. Default false. */
  skipSpecialTokens?: boolean;
}

/** Options for encoding and padding a batch. */
export interface BatchEncodeOptions extends EncodeOptions {
  /** Pad every row to the longest row (`longest`) or to `maxLength` (`max_length`). Default `longest`. */
  padding?: 'longest' | 'max_length' | false;
  /** Truncate rows longer than this many tokens (keeping the start). */
  maxLength?: number;
  /** Overrides the tokenizer's own padding side for this call. */
  paddingSide?: PaddingSide;
}

/** A padded batch of token ids. */
export interface BatchEncoding {
  /** Token ids, one row per input text, padded with `padTokenId`. */
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding; same shape as `inputIds`. */
  attentionMask: number[][];
}

/** A text tokenizer, as Hugging Face `tokenizers` / `transformers` tokenizers behave. */
export interface Tokenizer {
  /** The spec version this implementation was written against; trainers check it before use. */
  readonly specificationVersion: SpecificationVersion;
  /** Number of token ids, including added tokens. */
  readonly vocabSize: number;
  /** End-of-sequence token id, or undefined when the tokenizer has none. */
  readonly eosTokenId: number | undefined;
  /** Beginning-of-sequence token id, or undefined. */
  readonly bosTokenId: number | undefined;
  /** Padding token id, or undefined (callers usually fall back to `eosTokenId`, as TRL does). */
  readonly padTokenId: number | undefined;
  /** Default padding side for `encodeBatch`. */
  readonly paddingSide: PaddingSide;
  /** Ids of all special tokens (eos, bos, pad, added special tokens). */
  readonly specialTokenIds: ReadonlySet<number>;
  /** Text to token ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Token ids to text. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Many texts to a padded batch. */
  encodeBatch(texts: readonly string[], options?: BatchEncodeOptions): BatchEncoding;
  /** Many id rows to texts. */
  decodeBatch(ids: readonly (readonly number[])[], options?: DecodeOptions): string[];
  /** The id of a token string (e.g. `<|endoftext|>`), or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
}
