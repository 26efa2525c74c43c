import { type GenerationOptions, type GenerationResult, Rng, TrlError } from '@trl/core';
import { checkIdRange } from '../gpt2/input';
import type { DecoderModel } from './decoding';
import { type ResolvedGeneration, resolveGenerationOptions } from './options';
import { chooseToken } from './sampling';
import { findStopString } from './stop-strings';
import { createTensorDecoding } from './tensor-decoding';

/** One prompt's progress. */
export interface Row {
  /** Index of the prompt in the caller's batch. */
  readonly index: number;
  /** Position id the next fed token takes; only this loop advances it (the decodings read it). */
  nextPosition: number;
  /** New tokens this row may still produce (maxNewTokens, or less when the context fills up). */
  readonly budget: number;
  readonly rng: Rng;
  readonly result: GenerationResult;
}

/**
 * Batched generation with a KV cache. Prompts are left-padded to one length and masked; each step
 * feeds one token per active row. A finished row leaves the batch (its cache rows are dropped), so
 * it costs nothing afterwards. Tokens are chosen on the CPU from the downloaded logits with a
 * seeded generator per row, so a seed reproduces the same tokens on every backend. A registered
 * fast decoder (the `fastDecoder` capability, see `registerCapability`) replaces the tensor ops when one is available.
 */
export async function generate(
  model: DecoderModel,
  prompts: readonly (readonly number[])[],
  options: GenerationOptions,
): Promise<GenerationResult[]> {
  const { vocabSize, maxPositions } = model.info;
  validatePrompts(prompts, vocabSize, maxPositions);
  const settings = resolveGenerationOptions(options, prompts.length, {
    vocabSize,
    eosTokenId: model.eosTokenIds ?? model.info.eosTokenId,
  });
  const seeds = new Rng(settings.seed);
  let rows: Row[] = prompts.map((prompt, index) => ({
    index,
    nextPosition: prompt.length,
    budget: Math.min(settings.maxNewTokens, maxPositions - prompt.length + 1),
    rng: seeds.fork(),
    result: { tokenIds: [], logprobs: [], finishReason: 'length' },
  }));
  const results = rows.map((row) => row.result);
  // Every prompt fits the context, so each row may add at least one token unless maxNewTokens is 0.
  if (settings.maxNewTokens === 0) return results;

  const fast = settings.fastDecoder ? model.fastDecoding?.(prompts, settings.padTokenId, rows) : undefined;
  const decoding = fast ?? createTensorDecoding(model, prompts, settings.padTokenId);
  try {
    const vocab = vocabSize;
    for (let step = 0; rows.length > 0; step++) {
      const logits = await decoding.logits();
      const stillGoing = chooseNextTokens(rows, logits, vocab, step, settings);
      const fed = stillGoing.map((i) => rows[i]!);
      if (fed.length === 0) break;
      decoding.feed(fed, stillGoing.length === rows.length ? undefined : stillGoing);
      for (const row of fed) row.nextPosition++;
      rows = fed;
    }
  } finally {
    decoding.dispose();
  }
  return results;
}

/**
 * One decoding step for every live row: picks each row's token from its slice of `logits`
 * (`[rows, vocab]`, eos barred before `minNewTokens`), records it, and returns the indices of the
 * rows that go on.
 */
export function chooseNextTokens(
  rows: readonly Pick<Row, 'index' | 'budget' | 'result' | 'rng'>[],
  logits: Float32Array,
  vocab: number,
  step: number,
  settings: ResolvedGeneration,
): number[] {
  const stillGoing: number[] = [];
  rows.forEach((row, i) => {
    const rowLogits = logits.slice(i * vocab, (i + 1) * vocab);
    if (step < settings.minNewTokens) for (const id of settings.eosTokenIds) rowLogits[id] = -Infinity;
    const choice = chooseToken(rowLogits, settings, row.rng);
    row.result.tokenIds.push(choice.tokenId);
    row.result.logprobs.push(choice.logprob);
    if (!finishIfDone(row, choice.tokenId, settings)) stillGoing.push(i);
  });
  return stillGoing;
}

/** Marks the row finished when its last token or its length ends it; returns whether it did. */
export function finishIfDone(
  row: Pick<Row, 'index' | 'budget' | 'result'>,
  tokenId: number,
  settings: ResolvedGeneration,
): boolean {
  const result = row.result;
  if (settings.eosTokenIds.has(tokenId)) {
    result.finishReason = 'eos';
    return true;
  }
  if (settings.stopTokenIds[row.index]!.has(tokenId)) {
    result.finishReason = 'stop-token';
    return true;
  }
  const stops = settings.stopStrings[row.index]!;
  if (stops.length > 0) {
    const matched = findStopString(settings.tokenizer!, result.tokenIds, stops);
    if (matched !== undefined) {
      result.finishReason = 'stop-string';
      result.stopString = matched;
      return true;
    }
  }
  if (result.tokenIds.length >= row.budget) {
    result.finishReason = 'length';
    return true;
  }
  return false;
}

/** Prompts must be non-empty arrays of valid ids that fit the context. */
export function validatePrompts(
  prompts: readonly (readonly number[])[],
  vocabSize: number,
  maxPositions: number,
): void {
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new TrlError(
      'invalid-argument',
      'prompts must be a non-empty array of token-id arrays (one per row, no padding).',
    );
  }
  prompts.forEach((prompt, i) => {
    if (!Array.isArray(prompt) || prompt.length === 0) {
      throw new TrlError(
        'invalid-argument',
        `prompts[${i}] is empty; give at least one token (e.g. the bos id).`,
      );
    }
    if (prompt.length > maxPositions) {
      throw new TrlError(
        'invalid-argument',
        `prompts[${i}] has ${prompt.length} tokens but the model's context is ${maxPositions}; truncate it.`,
      );
    }
    if (!prompt.every(Number.isInteger))
      throw new TrlError('invalid-argument', `prompts[${i}] contains a non-integer token id.`);
    checkIdRange(`prompts[${i}]`, prompt, vocabSize, 'vocab_size');
  });
}
