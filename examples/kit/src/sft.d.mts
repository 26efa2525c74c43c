/**
 * Types of `sft.mjs` for TypeScript callers that do not read JavaScript (the examples type-check
 * without `allowJs`). Delete this file once the SFT module is TypeScript itself.
 */
import type { CausalLM, Rng, Tokenizer, Tracker } from '@trl/core';

/** Token ids and which of them are trained on. */
export interface MaskedExample {
  ids: number[];
  trainOn: boolean[];
}

/** The SFT loop's settings. */
export interface SftLoopConfig {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  warmupSteps?: number;
  seed?: number;
  logEvery?: number;
}

/** Right-padded inputs and next-token labels (-100 where not trained on). */
export interface SftBatch {
  inputs: number[][];
  labels: number[][];
}

export function buildLmBatch(rows: readonly number[][], padTokenId: number): SftBatch;
export function buildSftBatch(examples: readonly MaskedExample[], padTokenId: number): SftBatch;
export function runMaskedSft(options: {
  model: CausalLM;
  sampleExamples: ((batchSize: number, rng: Rng) => MaskedExample[]) | undefined;
  padTokenId: number;
  config: SftLoopConfig;
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void | Promise<void>;
}): Promise<{ finalLoss: number }>;
export function runSft(options: {
  model: CausalLM;
  tokenizer: Tokenizer;
  sampleTexts: ((batchSize: number, rng: Rng) => string[]) | undefined;
  config: SftLoopConfig;
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void | Promise<void>;
}): Promise<{ finalLoss: number }>;
