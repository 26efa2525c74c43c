/**
 * The model half of the kit: builders and backend setup, without the fixture paths. Scripts that tests
 * bundle to CommonJS (where `import.meta.url` is empty) import this subpath.
 */
import { initBackend } from '@trl/core';
import {
  createByteLevelTokenizer,
  type Gpt2ConfigInput,
  Gpt2LMHeadModel,
  type LlamaFamilyType,
  LlamaForCausalLM,
} from '@trl/models';
import { testBackend } from './backend';

/**
 * Runs the calling test file on the backend under test: wasm unless `TRL_TEST_BACKEND` names another
 * (use as `beforeAll(useTestBackend)`).
 */
export async function useTestBackend(): Promise<void> {
  await initBackend(testBackend());
}

/** The byte-level tokenizer the tiny models are sized for: ids 0-255 are bytes, 256 eos, 257 pad. */
export const tinyTokenizer = () => createByteLevelTokenizer();

/** Shape of a from-scratch tiny GPT-2; every field has the default most tests use. */
export interface TinyGpt2Options {
  /** Vocabulary size; 258 fits {@link tinyTokenizer}. */
  vocabSize?: number;
  /** Context length. */
  positions?: number;
  /** Hidden size. */
  width?: number;
  /** Transformer blocks. */
  layers?: number;
  /** One dropout probability for residual, embedding and attention dropout; 0 keeps passes deterministic. */
  dropout?: number;
  /** `bos_token_id`; 256 is the byte-level tokenizer's eos, which GPT-2 also uses as bos. */
  bosTokenId?: number | null;
  /** `eos_token_id`. */
  eosTokenId?: number | null;
}

/** The GPT-2 config behind {@link tinyGpt2}: two heads, sized by `options`. */
export function tinyGpt2Config(options: TinyGpt2Options = {}): Gpt2ConfigInput {
  const dropout = options.dropout ?? 0;
  return {
    vocab_size: options.vocabSize ?? 258,
    n_positions: options.positions ?? 64,
    n_embd: options.width ?? 32,
    n_layer: options.layers ?? 1,
    n_head: 2,
    resid_pdrop: dropout,
    embd_pdrop: dropout,
    attn_pdrop: dropout,
    bos_token_id: options.bosTokenId === undefined ? 256 : options.bosTokenId,
    eos_token_id: options.eosTokenId === undefined ? 256 : options.eosTokenId,
  };
}

/** A randomly initialised tiny GPT-2, seeded so every run (and backend) starts from the same weights. */
export function tinyGpt2(seed = 0, options: TinyGpt2Options = {}): Gpt2LMHeadModel {
  return Gpt2LMHeadModel.create(tinyGpt2Config(options), { seed });
}

/** Shape of a from-scratch tiny Llama-family model, sized for {@link tinyTokenizer} by default. */
export interface TinyLlamaOptions {
  /** Architecture; `qwen2` (the default) adds q/k/v biases, `qwen3` per-head q/k norms. */
  modelType?: LlamaFamilyType;
  /** Vocabulary size; 258 fits {@link tinyTokenizer}. */
  vocabSize?: number;
  /** Hidden size (4 query heads, 2 key/value heads share it). */
  width?: number;
  /** Decoder layers. */
  layers?: number;
  /** Whether the LM head is the token embedding. */
  tiedEmbeddings?: boolean;
}

/**
 * A randomly initialised tiny Llama-family model with grouped-query attention (4 query heads over 2
 * key/value heads), eos 256 and pad 257 as {@link tinyTokenizer} has them; seeded.
 */
export function tinyLlama(seed = 0, options: TinyLlamaOptions = {}): LlamaForCausalLM {
  const width = options.width ?? 32;
  return LlamaForCausalLM.create(
    {
      model_type: options.modelType ?? 'qwen2',
      vocab_size: options.vocabSize ?? 258,
      hidden_size: width,
      intermediate_size: 2 * width + 8,
      num_hidden_layers: options.layers ?? 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
      tie_word_embeddings: options.tiedEmbeddings ?? true,
      bos_token_id: 256,
      eos_token_id: 256,
      pad_token_id: 257,
    },
    { seed },
  );
}
