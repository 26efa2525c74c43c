import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getBackendInfo,
  initBackend,
  JsonlTracker,
  MultiTracker,
  TensorBoardTracker,
  type Tracker,
} from '@trl/core';

/** Rounds for logs and summaries, where more digits are noise. */
export function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

/** Arithmetic mean; 0 for an empty list so an empty batch logs a number rather than NaN. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The examples' tracker: a fresh `metrics.jsonl` plus TensorBoard event files, both under `runDir`. */
export function createRunTracker(runDir: string): MultiTracker {
  return new MultiTracker([
    new JsonlTracker(join(runDir, 'metrics.jsonl'), { append: false }),
    new TensorBoardTracker(join(runDir, 'tensorboard')),
  ]);
}

/**
 * Opens an example's run: creates `runDir`, saves `config.json` there (so every run records what it
 * ran with), starts `config.backend` and the tracker. `seconds()` is the wall time since the start.
 */
export async function startRun({
  config,
  runDir,
  log = console.log,
}: {
  config: { backend?: string } & object;
  runDir: string;
  log?: (line: string) => void;
}): Promise<{ seconds: () => number; tracker: Tracker }> {
  const started = performance.now();
  const seconds = () => round((performance.now() - started) / 1000, 1);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await initBackend(config.backend as Parameters<typeof initBackend>[0]);
  log(`backend: ${getBackendInfo()?.name}`);
  return { seconds, tracker: createRunTracker(runDir) };
}

/**
 * Continues every prompt once with the trainer's policy and decodes the new tokens (special tokens
 * dropped), in prompt order; `seed` makes held-out evaluations repeatable.
 */
export async function generateContinuations({
  trainer,
  tokenizer,
  prompts,
  generation,
  seed,
}: {
  trainer: { generate(queries: number[][], options: object): Promise<number[][]> };
  tokenizer: {
    encode(text: string): number[];
    decode(ids: number[], options: { skipSpecialTokens: boolean }): string;
  };
  prompts: readonly string[];
  generation: object;
  seed?: number;
}): Promise<{ queries: number[][]; responses: number[][]; texts: string[] }> {
  const queries = prompts.map((prompt) => tokenizer.encode(prompt));
  const responses = await trainer.generate(queries, {
    ...generation,
    returnPrompt: false,
    ...(seed === undefined ? {} : { seed }),
  });
  const texts = responses.map((ids) => tokenizer.decode(ids, { skipSpecialTokens: true }));
  return { queries, responses, texts };
}

/** `values[index]`; an index outside the list is a bug in the caller, reported as a RangeError. */
export function valueAt<T>(values: readonly T[], index: number): T {
  if (!Number.isInteger(index) || index < 0 || index >= values.length)
    throw new RangeError(`valueAt: index ${index} is outside a list of ${values.length}.`);
  // In range, so the element is there (the type cannot know the bounds check).
  return values[index] as T;
}
