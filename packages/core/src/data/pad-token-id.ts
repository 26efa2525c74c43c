/** The token ids {@link resolvePadTokenId} reads; a `Tokenizer` has both. */
export interface PadTokenSource {
  /** The tokenizer's padding id, if it defines one. */
  readonly padTokenId?: number | undefined;
  /** The tokenizer's end-of-sequence id, if it defines one. */
  readonly eosTokenId?: number | undefined;
}

/**
 * The id trl-ts pads batches with: the tokenizer's pad token, else its eos token (GPT-2 has no pad
 * token; TRL and transformers' generation pad with eos), else the model's eos id, else 0. Padded
 * positions are masked out of every loss and score, so the fallback only has to be a valid id.
 */
export function resolvePadTokenId(
  tokenizer: PadTokenSource | undefined,
  modelInfo?: { readonly eosTokenId?: number | undefined },
): number {
  return tokenizer?.padTokenId ?? tokenizer?.eosTokenId ?? modelInfo?.eosTokenId ?? 0;
}
