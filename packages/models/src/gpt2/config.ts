import { TrlError } from '@trl/core';
import { z } from 'zod';

const tokenId = z.number().int().nonnegative();

/**
 * GPT-2's `config.json`, with transformers' `GPT2Config` defaults (the 124M model). Unknown keys are
 * kept, so a config read from the hub is written back unchanged by `savePretrained`.
 */
export const gpt2ConfigSchema = z.looseObject({
  /** Architecture tag; only `gpt2` is supported. */
  model_type: z.literal('gpt2', {
    error: (issue) =>
      `model_type ${JSON.stringify(issue.input)} is not supported: @trl/models implements GPT-2 only ` +
      '(config.json must say "model_type": "gpt2").',
  }),
  /** Number of token ids. */
  vocab_size: z.number().int().positive().default(50257),
  /** Longest sequence the position embedding covers. */
  n_positions: z.number().int().positive().default(1024),
  /** Hidden width. */
  n_embd: z.number().int().positive().default(768),
  /** Number of transformer blocks. */
  n_layer: z.number().int().positive().default(12),
  /** Attention heads per block; must divide `n_embd`. */
  n_head: z.number().int().positive().default(12),
  /** MLP inner width; null means 4 * n_embd. */
  n_inner: z.number().int().positive().nullable().default(null),
  /** MLP activation; GPT-2's tanh approximation of GELU under either of its names. */
  activation_function: z
    .enum(['gelu_new', 'gelu_pytorch_tanh'], {
      error: (issue) =>
        `activation_function ${JSON.stringify(issue.input)} is not supported; use "gelu_new" (GPT-2's tanh GELU).`,
    })
    .default('gelu_new'),
  /** Dropout on residual branches (training mode only). */
  resid_pdrop: z.number().min(0).max(1).default(0.1),
  /** Dropout on the summed embeddings (training mode only). */
  embd_pdrop: z.number().min(0).max(1).default(0.1),
  /** Dropout on attention probabilities; kept for checkpoints but not applied yet (core's attention has no dropout). */
  attn_pdrop: z.number().min(0).max(1).default(0.1),
  /** Layer norm epsilon. */
  layer_norm_epsilon: z.number().positive().default(1e-5),
  /** Standard deviation of the normal weight init. */
  initializer_range: z.number().positive().default(0.02),
  /** Whether the LM head reuses the token embedding. */
  tie_word_embeddings: z.boolean().default(true),
  /** Scale attention scores by 1/sqrt(head_dim); GPT-2 always does. */
  scale_attn_weights: z.literal(true, { error: 'scale_attn_weights: false is not supported.' }).default(true),
  /** Mistral-style per-layer scaling; not supported. */
  scale_attn_by_inverse_layer_idx: z
    .literal(false, { error: 'scale_attn_by_inverse_layer_idx: true is not supported.' })
    .default(false),
  /** fp32 upcast reordering; not supported. */
  reorder_and_upcast_attn: z
    .literal(false, { error: 'reorder_and_upcast_attn: true is not supported.' })
    .default(false),
  /** Beginning-of-sequence id. */
  bos_token_id: tokenId.nullable().default(50256),
  /** End-of-sequence id. */
  eos_token_id: tokenId.nullable().default(50256),
  /** Padding id, when the checkpoint defines one. */
  pad_token_id: tokenId.nullable().optional(),
});

/** A validated GPT-2 config, defaults filled in. */
export type Gpt2Config = z.output<typeof gpt2ConfigSchema>;

/** What a caller may pass: any subset of the fields, defaults fill the rest. */
export type Gpt2ConfigInput = Partial<z.input<typeof gpt2ConfigSchema>>;

/**
 * Validates a GPT-2 config (from `config.json` or code). `model_type` defaults to `gpt2` when
 * absent; any other value is refused. Throws an Error listing every bad field.
 */
export function parseGpt2Config(raw: unknown, source = 'config'): Gpt2Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrlError(
      'invalid-value',
      `${source}: expected a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw}.`,
    );
  }
  const withType = { model_type: 'gpt2', ...raw };
  const result = gpt2ConfigSchema.safeParse(withType);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TrlError('invalid-value', `Invalid GPT-2 ${source}:\n  ${issues.join('\n  ')}`);
  }
  const config = result.data;
  if (config.n_embd % config.n_head !== 0) {
    throw new TrlError(
      'invalid-value',
      `Invalid GPT-2 ${source}: n_embd (${config.n_embd}) must be divisible by n_head (${config.n_head}).`,
    );
  }
  return config;
}

/** Inner MLP width: `n_inner`, or 4 * n_embd when it is null. */
export function mlpWidth(config: Gpt2Config): number {
  return config.n_inner ?? 4 * config.n_embd;
}
