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
