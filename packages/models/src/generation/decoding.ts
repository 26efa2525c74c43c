import type { CausalLMInfo, tf } from '@trl/core';
import type { TransformerInput, TransformerOutput } from '../transformer-io';

/**
 * What `generate` needs of a model, whatever its architecture: the decoder body with its KV cache,
 * the LM head, and optionally a faster engine for the whole loop.
 */
export interface DecoderModel {
  /** Vocabulary size, context length and default eos id. */
  readonly info: CausalLMInfo;
  /** Every eos id of the config when it lists several (`info.eosTokenId` holds the first). */
  readonly eosTokenIds?: readonly number[];
  /** One pass of the decoder body, extending the cache when `useCache` is set. */
  transformer(input: TransformerInput): TransformerOutput;
  /** The LM-head weight as `[hidden, vocab]` (a new tensor the caller disposes). */
  lmHeadWeightT(): tf.Tensor2D;
  /**
   * A decoding engine other than the tensor ops (e.g. a registered native decoder), or undefined
   * when none applies to this model.
   */
  fastDecoding?(
    prompts: readonly (readonly number[])[],
    padTokenId: number,
    budgets: readonly { readonly budget: number }[],
  ): Decoding | undefined;
}

/** A row still generating, as a decoding engine sees it. */
export interface DecodingRow {
  /** Position id the next fed token takes; `generate` advances it after each feed. */
  readonly nextPosition: number;
  /** The tokens generated so far; the engine feeds the last one. */
  readonly result: { readonly tokenIds: readonly number[] };
}

/**
 * How `generate` runs the model: the prompts go in at creation, then each round reads the
 * next-token logits of the active rows and feeds each continuing row its newest token.
 */
export interface Decoding {
  /** Logits of the active rows' next tokens, `[rows, vocab]` row-major. */
  logits(): Promise<Float32Array>;
  /**
   * Feeds each row its newest token. `keep` lists which of the previous round's rows these are,
   * when some finished; their caches are dropped.
   */
  feed(rows: readonly DecodingRow[], keep: readonly number[] | undefined): void;
  /** Frees everything the decoding holds. */
  dispose(): void;
}

/** Prompts left-padded to their longest length, with the mask and transformers' position ids. */
export interface PaddedPrompts {
  /** Rows. */
  readonly rows: number;
  /** Tokens per row after padding. */
  readonly width: number;
  /** Token ids `[rows, width]`. */
  readonly ids: Int32Array;
  /** 1 for prompt tokens, 0 for padding. */
  readonly mask: Int32Array;
}

/** Left-pads `prompts` with `padTokenId`. */
export function leftPad(prompts: readonly (readonly number[])[], padTokenId: number): PaddedPrompts {
  const width = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(prompts.length * width).fill(padTokenId);
  const mask = new Int32Array(prompts.length * width);
  prompts.forEach((prompt, b) => {
    const offset = b * width + width - prompt.length;
    ids.set(prompt, offset);
    mask.fill(1, offset, (b + 1) * width);
  });
  return { rows: prompts.length, width, ids, mask };
}
