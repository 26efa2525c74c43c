import { initBackend } from '@trl/core';
import { createByteLevelTokenizer, Gpt2ForSequenceClassification, Gpt2LMHeadModel } from '@trl/models';

/** A 1-layer, width-32 GPT-2 reward model over the byte-level vocabulary, no dropout. */
export function tinyRewardModel(seed = 0, numLabels = 1): Gpt2ForSequenceClassification {
  const backbone = Gpt2LMHeadModel.create(
    {
      vocab_size: 258,
      n_positions: 32,
      n_embd: 32,
      n_layer: 1,
      n_head: 2,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      bos_token_id: 256,
      eos_token_id: 256,
    },
    { seed },
  );
  return new Gpt2ForSequenceClassification(backbone, numLabels, undefined, seed);
}

/** The byte-level tokenizer matching {@link tinyRewardModel}. */
export const tinyTokenizer = () => createByteLevelTokenizer();

/** Every test here runs on wasm. */
export const useWasm = () => initBackend('wasm');
