import type { Tokenizer } from './tokenizer';

/** Why a generated row stopped. */
export type FinishReason =
  /** The model produced an eos token (kept in `tokenIds`). */
  | 'eos'
  /** One of the row's stop token ids was produced (kept in `tokenIds`). */
  | 'stop-token'
  /** The decoded text of the generated tokens ends with one of the row's stop strings. */
  | 'stop-string'
  /** `maxNewTokens` was reached, or the model's context is full. */
  | 'length';

/** Options for batched generation; defaults follow `transformers`' GenerationConfig. */
export interface GenerationOptions {
  /** Maximum number of new tokens per row. Required. */
  maxNewTokens: number;
  /** eos cannot be produced before this many new tokens (its logit is set to -inf). Default 0. */
  minNewTokens?: number;
  /** Sample from the distribution (true) or take the argmax (false). Default true. */
  doSample?: boolean;
  /** Softmax temperature, > 0. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 disables. Default 0 (TRL's PPO generation uses 0). */
  topK?: number;
  /** Nucleus sampling: keep the smallest set with cumulative probability ≥ topP. 1 disables. Default 1. */
  topP?: number;
  /** Seed for sampling; the same seed and inputs give the same tokens. */
  seed?: number;
  /** Token id(s) that end a row. Default: the model config's eos. */
  eosTokenId?: number | readonly number[];
  /** Token id used to left-pad prompts. Default: eos. */
  padTokenId?: number;
  /** Extra stop ids, one list for all rows or one list per row. */
  stopTokenIds?: readonly number[] | readonly (readonly number[])[];
  /** Stop strings, one list for all rows or one list per row. Needs `tokenizer`. */
  stopStrings?: readonly string[] | readonly (readonly string[])[];
  /** Decodes generated tokens to check stop strings. */
  tokenizer?: Tokenizer;
  /**
   * Use the registered fast decoder (`registerFastDecoderProvider`, e.g. from @trl/native) when the
   * model supports it. Default true; false always decodes with tensor ops.
   */
  fastDecoder?: boolean;
}

/** One generated row. */
export interface GenerationResult {
  /** The new token ids (prompt excluded), including a final eos/stop token when that ended the row. */
  tokenIds: number[];
  /** Log-probability of each new token under the (temperature-scaled) sampling distribution. */
  logprobs: number[];
  /** Why the row stopped. */
  finishReason: FinishReason;
  /** The stop string that matched, when `finishReason` is `stop-string`. */
  stopString?: string;
}
