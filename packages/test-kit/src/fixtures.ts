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

/** The Llama-family checkpoints written by `tooling/hf-fixtures/llama_family.py` (transformers 5, random init). */
export const LLAMA_FAMILY_FIXTURES = ['tiny-llama3', 'tiny-qwen2', 'tiny-qwen3', 'tiny-mistral'] as const;

/** Name of one Llama-family fixture folder. */
export type LlamaFamilyFixture = (typeof LLAMA_FAMILY_FIXTURES)[number];

/** Directory of a Llama-family fixture: `config.json`, `model.safetensors` and `expected.json`. */
export function llamaFamilyDir(name: LlamaFamilyFixture): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** transformers' outputs for a Llama-family fixture (float32 torch, eval mode). */
export interface LlamaFamilyExpected {
  /** Two rows of 12 token ids. */
  input_ids: number[][];
  /** Logits `[2, 12, vocab]` for `input_ids`. */
  logits: number[][][];
  /** Row 0 of `input_ids`, and row 1's first 7 ids after 5 padding ids. */
  padded_input_ids: number[][];
  /** 0 over row 1's padding, 1 elsewhere. */
  padded_attention_mask: number[][];
  /** Logits for the padded batch, positions as `generate` numbers them (cumsum(mask) - 1). */
  padded_logits: number[][][];
  /** Two prompts of different lengths (5 and 3 tokens). */
  greedy_prompts: number[][];
  /** The 8 ids `generate(do_sample=False)` adds to each prompt, run one prompt at a time. */
  greedy_new_ids: number[][];
  /** Smallest top-1 minus top-2 logit over those greedy steps (how robust the ids are to rounding). */
  greedy_min_logit_margin: number;
  /** Mean next-token cross-entropy of `input_ids` (transformers' `labels=input_ids` loss). */
  loss: number;
  /** Its gradient for a few weights, by checkpoint key, in the checkpoint's layout (`[out, in]`). */
  grads: Record<string, number[] | number[][]>;
}

/** Reads `expected.json` of a Llama-family fixture. */
export function llamaFamilyExpected(name: LlamaFamilyFixture): LlamaFamilyExpected {
  return JSON.parse(readFileSync(`${llamaFamilyDir(name)}/expected.json`, 'utf8')) as LlamaFamilyExpected;
}

/**
 * A PEFT LoRA adapter (r 4, alpha 8, `q_proj` and `v_proj`, random lora_B) for `tiny-llama3`, saved
 * by PEFT: `adapter_config.json`, `adapter_model.safetensors` and `expected.json` (`input_ids` of
 * tiny-llama3 and PEFT's logits for them, `[2, 12, vocab]`).
 */
export const TINY_LLAMA3_LORA_DIR = fileURLToPath(new URL('../fixtures/tiny-llama3-lora', import.meta.url));

/**
 * `tiny-qwen2` as a one-label `Qwen2ForSequenceClassification` (reward model, pad id 3) saved by
 * transformers, with `expected.json`: the padded batch of tiny-qwen2 and its scores `[2, 1]`.
 */
export const TINY_QWEN2_REWARD_DIR = fileURLToPath(new URL('../fixtures/tiny-qwen2-reward', import.meta.url));

/** Reads `expected.json` of a fixture folder as `T`. */
export function fixtureExpected<T>(dir: string): T {
  return JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as T;
}

/**
 * `tiny-qwen3` saved in bfloat16 over two shards (`model.safetensors.index.json`), with
 * `expected.json`: tiny-qwen3's `input_ids`, the logits transformers computes after loading the
 * shards as float32, and the shard names.
 */
export const TINY_QWEN3_BF16_SHARDED_DIR = fileURLToPath(
  new URL('../fixtures/tiny-qwen3-bf16-sharded', import.meta.url),
);
