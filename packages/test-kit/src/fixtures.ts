import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The fixture half of the kit. It imports nothing from the workspace, so `@trl/core` and
 * `@trl/models` (which the kit's model builders depend on) can read the fixture through it too,
 * by relative path, without a package cycle.
 */

/**
 * The tiny GPT-2 checkpoint written by transformers (2 layers, d 48, vocab 512, 64 positions):
 * `config.json`, `model.safetensors` and `expected.json`. The one copy in the repository.
 */
export const TINY_GPT2_DIR = fileURLToPath(new URL('../fixtures/tiny-gpt2', import.meta.url));

/** `model.safetensors` of {@link TINY_GPT2_DIR}, for tests of the safetensors reader itself. */
export const TINY_GPT2_SAFETENSORS = `${TINY_GPT2_DIR}/model.safetensors`;

/** transformers' outputs for the fixture (float32 torch, eval mode). */
export interface TinyGpt2Expected {
  /** Two rows of 12 token ids. */
  input_ids: number[][];
  /** Logits `[2, 12, 512]` for `input_ids`. */
  logits: number[][][];
  /** Two 5-token prompts. */
  greedy_prompt: number[][];
  /** Prompt followed by 8 greedy tokens, per row. */
  greedy_ids: number[][];
}

/** Reads `expected.json` of the fixture. */
export function tinyGpt2Expected(): TinyGpt2Expected {
  return JSON.parse(readFileSync(`${TINY_GPT2_DIR}/expected.json`, 'utf8')) as TinyGpt2Expected;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Tiny random-init sequence classifiers saved by transformers 5.18 (`tooling/hf-fixtures/encoders.py`):
 * 2 layers, 3 heads of width 12, intermediate 50, every parameter perturbed from its init. Each
 * folder holds `config.json`, `model.safetensors` and `expected.json` ({@link TinyEncoderExpected}).
 */
export const TINY_ENCODER_DIRS = {
  bert: fileURLToPath(new URL('../fixtures/tiny-bert', import.meta.url)),
  distilbert: fileURLToPath(new URL('../fixtures/tiny-distilbert', import.meta.url)),
  roberta: fileURLToPath(new URL('../fixtures/tiny-roberta', import.meta.url)),
} as const;

/** transformers' eval-mode outputs for a tiny encoder fixture. */
export interface TinyEncoderExpected {
  /** Token ids `[batch, seq]`; padding rows (right and left) hold the pad id. */
  input_ids: number[][];
  /** 1 for real tokens, 0 for padding. */
  attention_mask: number[][];
  /** Segment ids (BERT only). */
  token_type_ids?: number[][];
  /** Logits `[batch, numLabels]` for all the inputs above. */
  logits: number[][];
  /** Logits for `input_ids` alone (no mask, no token types). */
  logits_without_attention_mask: number[][];
  /** Logits with the mask but without `token_type_ids` (BERT only). */
  logits_without_token_type_ids?: number[][];
}

/** Reads `expected.json` of an encoder fixture. */
export function tinyEncoderExpected(architecture: keyof typeof TINY_ENCODER_DIRS): TinyEncoderExpected {
  return JSON.parse(
    readFileSync(`${TINY_ENCODER_DIRS[architecture]}/expected.json`, 'utf8'),
  ) as TinyEncoderExpected;
}

/**
 * A WordPiece tokenizer built with the `tokenizers` library (BERT normalizer, lower-casing, [CLS]/[SEP]
 * template): `tokenizer.json`, `vocab.txt`, `tokenizer_config.json` and `expected.json`.
 */
export const TINY_WORDPIECE_DIR = fileURLToPath(new URL('../fixtures/tiny-wordpiece', import.meta.url));

/**
 * The same vocabulary as only `vocab.txt` plus a `tokenizer_config.json` with `do_lower_case: false`;
 * `expected.json` holds what transformers' `BertTokenizer` gives for that folder.
 */
export const TINY_WORDPIECE_VOCAB_DIR = fileURLToPath(
  new URL('../fixtures/tiny-wordpiece-vocab', import.meta.url),
);

/** One encoding recorded from the reference tokenizer. */
export interface WordPieceEncoding {
  /** Token ids including [CLS]/[SEP]. */
  ids: number[];
  /** 0 for the first segment, 1 for the second. */
  token_type_ids: number[];
}

/** The reference tokenizer's encodings of varied strings and pairs. */
export interface WordPieceExpected {
  /** Single texts. */
  texts: string[];
  /** Encoding of each text. */
  single: WordPieceEncoding[];
  /** Text pairs. */
  pairs: [string, string][];
  /** Encoding of each pair. */
  pair: WordPieceEncoding[];
  /** Ids of each text without special tokens (tokenizer.json fixture only). */
  single_without_special_tokens?: number[][];
  /** Length the texts were truncated to for `single_truncated` (tokenizer.json fixture only). */
  truncate_to?: number;
  /** Ids of each text truncated to `truncate_to` tokens by the library (tokenizer.json fixture only). */
  single_truncated?: number[][];
}

/** Reads `expected.json` of a WordPiece tokenizer fixture directory. */
export function wordPieceExpected(dir: string): WordPieceExpected {
  return JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as WordPieceExpected;
}
