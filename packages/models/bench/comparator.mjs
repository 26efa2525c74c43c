// What every GPT-2 bench takes from the comparator (/work/shared/bench/torch/gpt2_bench.py): its configs,
// its model settings, its optimizer and its random data. No imports on purpose: a bench that loads
// @trl/core or @trl/models from another build (../../core/bench/wasm-threads.mjs) passes in its own.

/** The comparator's configs: layers, width, heads, vocabulary, sequence, batch, positions. */
export const CONFIGS = {
  tiny: { n_layer: 2, n_embd: 128, n_head: 4, vocab: 1000, seq: 64, batch: 8, n_pos: 128 },
  small: { n_layer: 6, n_embd: 384, n_head: 6, vocab: 8192, seq: 128, batch: 8, n_pos: 256 },
  gpt2: { n_layer: 12, n_embd: 768, n_head: 12, vocab: 50257, seq: 128, batch: 4, n_pos: 1024 },
};

/** The comparator's AdamW: lr 1e-4, betas 0.9/0.95, weight decay 0.01; no finiteness check in the timing. */
export const COMPARATOR_ADAMW = {
  learningRate: 1e-4,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.95,
  checkFinite: false,
};

/** The Gpt2Config of a bench config as the comparator builds it: no dropout, no special tokens. */
export function comparatorGpt2Config(cfg) {
  return {
    vocab_size: cfg.vocab,
    n_positions: cfg.n_pos,
    n_embd: cfg.n_embd,
    n_layer: cfg.n_layer,
    n_head: cfg.n_head,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    bos_token_id: null,
    eos_token_id: null,
  };
}

/** Rows of uniform random token ids from a @trl/core Rng. */
export function randomIds(rng, rows, cols, vocab) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.nextInt(vocab)));
}

/** Language-modelling inputs and targets of `rows` (each one id longer than the sequence), as int32. */
export function nextTokenBatch(tf, rows) {
  const x = tf.tensor2d(
    rows.map((r) => r.slice(0, -1)),
    undefined,
    'int32',
  );
  const y = tf.tensor2d(
    rows.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  return { x, y };
}

/**
 * The Llama configs of the project-local comparator (./llama_bench.py): SmolLM2-135M's shape, trained
 * at batch 2 × seq 128: batch 4 runs the wasm heap out of memory (weights, gradients and AdamW state
 * alone are 2.2 GB of its 4 GB), batch 2 peaks at 3.3 GB RSS.
 */
export const LLAMA_CONFIGS = {
  llama: {
    n_layer: 30,
    n_embd: 576,
    n_head: 9,
    n_kv_head: 3,
    inter: 1536,
    vocab: 49152,
    seq: 128,
    batch: 2,
    rope_theta: 100000,
    eps: 1e-5,
    n_pos: 8192,
  },
};

/** The `config.json` of a bench Llama config, as transformers writes it for `LlamaForCausalLM`. */
export function comparatorLlamaConfig(cfg) {
  return {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    hidden_size: cfg.n_embd,
    intermediate_size: cfg.inter,
    num_hidden_layers: cfg.n_layer,
    num_attention_heads: cfg.n_head,
    num_key_value_heads: cfg.n_kv_head,
    vocab_size: cfg.vocab,
    max_position_embeddings: cfg.n_pos,
    rope_theta: cfg.rope_theta,
    rms_norm_eps: cfg.eps,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    initializer_range: 0.02,
    bos_token_id: 0,
    eos_token_id: 0,
  };
}
