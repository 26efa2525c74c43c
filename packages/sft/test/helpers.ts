import { initBackend } from '@trl/core';
import { createByteLevelTokenizer, Gpt2LMHeadModel } from '@trl/models';

/** A 1-layer, width-32 GPT-2 over the byte-level vocabulary (256 bytes + eos 256 + pad 257), no dropout. */
export function tinyModel(seed = 0, dropout = 0): Gpt2LMHeadModel {
  return Gpt2LMHeadModel.create(
    {
      vocab_size: 258,
      n_positions: 64,
      n_embd: 32,
      n_layer: 1,
      n_head: 2,
      resid_pdrop: dropout,
      embd_pdrop: dropout,
      attn_pdrop: dropout,
      bos_token_id: 256,
      eos_token_id: 256,
    },
    { seed },
  );
}

/** The byte-level tokenizer matching {@link tinyModel}. */
export const tinyTokenizer = () => createByteLevelTokenizer();

/** Every test here runs on wasm, the fast CPU path. */
export const useWasm = () => initBackend('wasm');
