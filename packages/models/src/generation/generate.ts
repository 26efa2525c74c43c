import { type GenerationOptions, type GenerationResult, linear, Rng, tf } from '@trl/core';
import { checkIdRange, positionsFromMask } from '../gpt2/input';
import type { Gpt2LMHeadModel, LayerCache } from '../gpt2/model';
import { type ResolvedGeneration, resolveGenerationOptions } from './options';
import { chooseToken } from './sampling';
import { findStopString } from './stop-strings';

/** One prompt's progress. */
interface Row {
  /** Index of the prompt in the caller's batch. */
  readonly index: number;
  /** Position id the next fed token takes. */
  nextPosition: number;
  /** New tokens this row may still produce (maxNewTokens, or less when the context fills up). */
  readonly budget: number;
  readonly rng: Rng;
  readonly result: GenerationResult;
}

/** The tensors carried from one decoding step to the next (all rows still generating). */
type DecodeState = {
  /** Next-token logits of each active row `[rows, vocab]`. */
  logits: tf.Tensor2D;
  /** Keys/values per layer. */
  cache: LayerCache[];
  /** Mask over every cached position `[rows, seen]`. */
  mask: tf.Tensor2D;
};

/**
 * Batched generation with a KV cache. Prompts are left-padded to one length and masked; each step
 * feeds one token per active row. A finished row leaves the batch (its cache rows are dropped), so
 * it costs nothing afterwards. Tokens are chosen on the CPU from the downloaded logits with a
 * seeded generator per row, so a seed reproduces the same tokens on every backend.
 */
export async function generate(
  model: Gpt2LMHeadModel,
  prompts: readonly (readonly number[])[],
  options: GenerationOptions,
): Promise<GenerationResult[]> {
  const { config } = model;
  validatePrompts(prompts, config.vocab_size, config.n_positions);
  const settings = resolveGenerationOptions(options, prompts.length, {
    vocabSize: config.vocab_size,
    eosTokenId: model.info.eosTokenId,
  });
  const seeds = new Rng(settings.seed);
  let rows: Row[] = prompts.map((prompt, index) => ({
    index,
    nextPosition: prompt.length,
    budget: Math.min(settings.maxNewTokens, config.n_positions - prompt.length + 1),
    rng: seeds.fork(),
    result: { tokenIds: [], logprobs: [], finishReason: 'length' },
  }));
  const results = rows.map((row) => row.result);
  // Every prompt fits the context, so each row may add at least one token unless maxNewTokens is 0.
  if (settings.maxNewTokens === 0) return results;

  // One transposed LM-head weight for the whole call: wasm's matmul re-packs every new weight tensor.
  const headWeightT = model.lmHeadWeightT();
  let state = prefill(model, prompts, settings.padTokenId, headWeightT);
  try {
    for (let step = 0; rows.length > 0; step++) {
      const logits = (await state.logits.data()) as Float32Array;
      const vocab = config.vocab_size;
      const stillGoing: number[] = [];
      rows.forEach((row, i) => {
        const rowLogits = logits.slice(i * vocab, (i + 1) * vocab);
        if (step < settings.minNewTokens) for (const id of settings.eosTokenIds) rowLogits[id] = -Infinity;
        const choice = chooseToken(rowLogits, settings, row.rng);
        row.result.tokenIds.push(choice.tokenId);
        row.result.logprobs.push(choice.logprob);
        if (!finishIfDone(row, choice.tokenId, settings)) stillGoing.push(i);
      });
      const fed = stillGoing.map((i) => rows[i]!);
      if (fed.length === 0) break;
      state = decodeStep(
        model,
        state,
        fed,
        stillGoing.length === rows.length ? undefined : stillGoing,
        headWeightT,
      );
      rows = fed;
    }
  } finally {
    disposeState(state);
    headWeightT.dispose();
  }
  return results;
}

/** Marks the row finished when its last token or its length ends it; returns whether it did. */
function finishIfDone(row: Row, tokenId: number, settings: ResolvedGeneration): boolean {
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

/** Runs the left-padded prompts through the model, keeping the cache and the last position's logits. */
function prefill(
  model: Gpt2LMHeadModel,
  prompts: readonly (readonly number[])[],
  padTokenId: number,
  headWeightT: tf.Tensor2D,
): DecodeState {
  const width = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(prompts.length * width).fill(padTokenId);
  const mask = new Int32Array(prompts.length * width);
  prompts.forEach((prompt, b) => {
    const offset = b * width + width - prompt.length;
    ids.set(prompt, offset);
    mask.fill(1, offset, (b + 1) * width);
  });
  return tf.tidy(() => {
    const attentionMask = tf.tensor2d(mask, [prompts.length, width], 'int32');
    const { hidden, present } = model.transformer({
      inputIds: tf.tensor2d(ids, [prompts.length, width], 'int32'),
      attentionMask,
      positionIds: tf.tensor2d(
        positionsFromMask(mask, prompts.length, width),
        [prompts.length, width],
        'int32',
      ),
      training: false,
      useCache: true,
    });
    const last = tf.reshape(tf.slice(hidden, [0, width - 1, 0], [-1, 1, -1]), [
      prompts.length,
      -1,
    ]) as tf.Tensor2D;
    return { logits: linear(last, headWeightT) as tf.Tensor2D, cache: present!, mask: attentionMask };
  });
}

/**
 * Feeds each continuing row its newest token. `keep` lists the rows of the previous state that are
 * still generating when some finished; their cache rows are gathered and the rest freed.
 */
function decodeStep(
  model: Gpt2LMHeadModel,
  previous: DecodeState,
  rows: readonly Row[],
  keep: readonly number[] | undefined,
  headWeightT: tf.Tensor2D,
): DecodeState {
  const next = tf.tidy(() => {
    const pick = <T extends tf.Tensor>(t: T): T => (keep ? (tf.gather(t, keep, 0) as T) : t);
    const past = previous.cache.map((layer) => ({ key: pick(layer.key), value: pick(layer.value) }));
    const mask = tf.concat([pick(previous.mask), tf.ones([rows.length, 1], 'int32')], 1) as tf.Tensor2D;
    const { hidden, present } = model.transformer({
      inputIds: tf.tensor2d(
        rows.map((row) => row.result.tokenIds.at(-1)!),
        [rows.length, 1],
        'int32',
      ),
      attentionMask: mask,
      positionIds: tf.tensor2d(
        rows.map((row) => row.nextPosition++),
        [rows.length, 1],
        'int32',
      ),
      training: false,
      past,
      useCache: true,
    });
    return {
      logits: linear(tf.reshape(hidden, [rows.length, -1]), headWeightT) as tf.Tensor2D,
      cache: present!,
      mask,
    };
  });
  disposeState(previous);
  return next;
}

function disposeState(state: DecodeState): void {
  state.logits.dispose();
  state.mask.dispose();
  for (const layer of state.cache) {
    layer.key.dispose();
    layer.value.dispose();
  }
}

/** Prompts must be non-empty arrays of valid ids that fit the context. */
function validatePrompts(
  prompts: readonly (readonly number[])[],
  vocabSize: number,
  maxPositions: number,
): void {
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new Error('prompts must be a non-empty array of token-id arrays (one per row, no padding).');
  }
  prompts.forEach((prompt, i) => {
    if (!Array.isArray(prompt) || prompt.length === 0) {
      throw new Error(`prompts[${i}] is empty; give at least one token (e.g. the bos id).`);
    }
    if (prompt.length > maxPositions) {
      throw new Error(
        `prompts[${i}] has ${prompt.length} tokens but the model's context is ${maxPositions}; truncate it.`,
      );
    }
    if (!prompt.every(Number.isInteger)) throw new Error(`prompts[${i}] contains a non-integer token id.`);
    checkIdRange(`prompts[${i}]`, prompt, vocabSize, 'vocab_size');
  });
}
