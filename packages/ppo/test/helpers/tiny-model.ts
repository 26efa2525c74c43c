import { initBackend } from '@trl/core';
import { createByteLevelTokenizer, Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';

/** The fast CPU backend for every test file. */
export async function useWasm(): Promise<void> {
  await initBackend('wasm');
}

/** A byte-level tokenizer (ids 0-255 are bytes, then eos and pad). */
export function tinyTokenizer() {
  return createByteLevelTokenizer();
}

/** A tiny GPT-2 from scratch with a value head, seeded; dropout off so passes are deterministic. */
export function tinyPolicy(seed = 1, size: { layers?: number; width?: number } = {}): Gpt2WithValueHead {
  const tokenizer = tinyTokenizer();
  const lm = Gpt2LMHeadModel.create(
    {
      vocab_size: tokenizer.vocabSize,
      n_positions: 64,
      n_embd: size.width ?? 32,
      n_layer: size.layers ?? 2,
      n_head: 2,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      eos_token_id: tokenizer.eosTokenId ?? null,
      bos_token_id: tokenizer.bosTokenId ?? null,
    },
    { seed },
  );
  return new Gpt2WithValueHead(lm, { seed: seed + 1, summaryDropoutProb: 0 });
}
