import { TrlError } from '@trl/core';
import { z } from 'zod';

/** The `model_type` values this module implements: decoder-only models of Llama's design. */
export const LLAMA_FAMILY_TYPES = ['llama', 'mistral', 'qwen2', 'qwen3'] as const;

/** One of {@link LLAMA_FAMILY_TYPES}. */
export type LlamaFamilyType = (typeof LLAMA_FAMILY_TYPES)[number];

const tokenId = z.number().int().nonnegative();
const positive = z.number().int().positive();

/**
 * The `config.json` fields of Llama, Mistral, Qwen2 and Qwen3 that shape the computation, with
 * transformers' defaults. Unknown keys are kept, so a config read from the hub is written back as it was.
 */
export const llamaConfigSchema = z.looseObject({
  /** Architecture tag. */
  model_type: z.enum(LLAMA_FAMILY_TYPES),
  /** Number of token ids. */
  vocab_size: positive,
  /** Hidden width. */
  hidden_size: positive,
  /** SwiGLU inner width. */
  intermediate_size: positive,
  /** Number of decoder layers. */
  num_hidden_layers: positive,
  /** Query heads. */
  num_attention_heads: positive,
  /** Key/value heads (grouped-query attention); null means one per query head. */
  num_key_value_heads: positive.nullable().optional(),
  /** Width of one head; null means hidden_size / num_attention_heads. */
  head_dim: positive.nullable().optional(),
  /** Longest sequence the model accepts. */
  max_position_embeddings: positive.default(2048),
  /** RMSNorm epsilon. */
  rms_norm_eps: z.number().positive().default(1e-6),
  /** MLP activation; the family uses SiLU (SwiGLU). */
  hidden_act: z
    .literal('silu', {
      error: (issue) => `hidden_act ${JSON.stringify(issue.input)} is not supported; use "silu".`,
    })
    .default('silu'),
  /** Whether the LM head reuses the token embedding. */
  tie_word_embeddings: z.boolean().default(false),
  /** Biases on q/k/v/o (Llama, Qwen3); Qwen2 always has q/k/v biases and no o bias. */
  attention_bias: z.boolean().default(false),
  /** Biases on the MLP projections (Llama). */
  mlp_bias: z.boolean().default(false),
  /** Standard deviation of the normal init (used for new heads). */
  initializer_range: z.number().positive().default(0.02),
  /** Dropout on attention probabilities (training mode only). */
  attention_dropout: z.number().min(0).max(1).default(0),
  /** transformers-4 layout: RoPE base. */
  rope_theta: z.number().positive().optional(),
  /** transformers-4 layout: RoPE scaling (`rope_type` or `type`, plus its parameters). */
  rope_scaling: z.record(z.string(), z.unknown()).nullable().optional(),
  /** transformers-5 layout: every RoPE setting, `rope_theta` included. */
  rope_parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Only the full rotation is implemented. */
  partial_rotary_factor: z
    .literal(1, { error: 'partial_rotary_factor other than 1 is not supported (partial RoPE).' })
    .optional(),
  /** Sliding-window span (Mistral; Qwen when use_sliding_window). */
  sliding_window: positive.nullable().optional(),
  /** Qwen: whether sliding_window applies at all. */
  use_sliding_window: z.boolean().optional(),
  /** Qwen: layers below this index keep full attention. */
  max_window_layers: z.number().int().nonnegative().optional(),
  /** transformers 5: attention kind per layer. */
  layer_types: z.array(z.string()).nullable().optional(),
  /** Beginning-of-sequence id. */
  bos_token_id: tokenId.nullable().optional(),
  /** End-of-sequence id, or several (Llama 3 instruct lists two). */
  eos_token_id: z
    .union([tokenId, z.array(tokenId)])
    .nullable()
    .optional(),
  /** Padding id, when the checkpoint defines one. */
  pad_token_id: tokenId.nullable().optional(),
});

/** A validated config as read (defaults filled in). */
export type LlamaConfigFields = z.output<typeof llamaConfigSchema>;

/** Rotary embedding settings, normalised from either config layout. */
export type RopeSettings =
  | { readonly type: 'default'; readonly theta: number }
  | { readonly type: 'linear'; readonly theta: number; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly theta: number;
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositions: number;
    };

/** The architecture a config describes, every derived quantity resolved. */
export interface LlamaConfig {
  /** The fields as read (written back by `savePretrained`). */
  readonly fields: LlamaConfigFields;
  /** Architecture tag. */
  readonly modelType: LlamaFamilyType;
  /** Number of token ids. */
  readonly vocabSize: number;
  /** Hidden width. */
  readonly hiddenSize: number;
  /** SwiGLU inner width. */
  readonly intermediateSize: number;
  /** Decoder layers. */
  readonly layers: number;
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads; divides `heads`. */
  readonly kvHeads: number;
  /** Width of one head. */
  readonly headDim: number;
  /** Longest sequence. */
  readonly maxPositions: number;
  /** RMSNorm epsilon. */
  readonly rmsNormEps: number;
  /** Whether the LM head is the token embedding. */
  readonly tiedEmbeddings: boolean;
  /** Biases on q, k and v. */
  readonly qkvBias: boolean;
  /** Bias on the attention output projection. */
  readonly outputBias: boolean;
  /** Biases on gate, up and down projections. */
  readonly mlpBias: boolean;
  /** Per-head RMSNorm of queries and keys before RoPE (Qwen3). */
  readonly qkNorm: boolean;
  /** Attention dropout in training. */
  readonly attentionDropout: number;
  /** Rotary embedding. */
  readonly rope: RopeSettings;
  /** First eos id, if any. */
  readonly eosTokenId: number | undefined;
  /** Every eos id the config lists (one or several). */
  readonly eosTokenIds: readonly number[];
  /** bos id, if any. */
  readonly bosTokenId: number | undefined;
}

/** The TrlError code of a config this module cannot run. */
export const UNSUPPORTED_CONFIG = 'unsupported-model-config';

/**
 * Validates a Llama-family `config.json` (`model_type` llama, mistral, qwen2 or qwen3) and resolves
 * its architecture. Both RoPE layouts load: transformers-4 (`rope_theta` + `rope_scaling`) and
 * transformers-5 (`rope_parameters`). Features not implemented (RoPE types other than default,
 * linear and llama3; a sliding window that takes effect) are refused with a TrlError naming the field.
 */
export function parseLlamaConfig(raw: unknown, source = 'config'): LlamaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrlError(
      'invalid-value',
      `${source}: expected a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw}.`,
    );
  }
  const result = llamaConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TrlError('invalid-value', `Invalid Llama-family ${source}:\n  ${issues.join('\n  ')}`);
  }
  const fields = result.data;
  const modelType = fields.model_type;
  const heads = fields.num_attention_heads;
  const kvHeads = fields.num_key_value_heads ?? heads;
  const fail = (message: string) => {
    throw new TrlError('invalid-value', `Invalid ${modelType} ${source}: ${message}`);
  };
  if (heads % kvHeads !== 0) {
    fail(`num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads}).`);
  }
  if (fields.head_dim == null && fields.hidden_size % heads !== 0) {
    fail(
      `hidden_size (${fields.hidden_size}) must be divisible by num_attention_heads (${heads}), or set head_dim.`,
    );
  }
  const headDim = fields.head_dim ?? fields.hidden_size / heads;
  if (headDim % 2 !== 0) fail(`head_dim (${headDim}) must be even for rotary embeddings.`);
  rejectSlidingWindow(fields, source);
  const eos = fields.eos_token_id;
  return {
    fields,
    modelType,
    vocabSize: fields.vocab_size,
    hiddenSize: fields.hidden_size,
    intermediateSize: fields.intermediate_size,
    layers: fields.num_hidden_layers,
    heads,
    kvHeads,
    headDim,
    maxPositions: fields.max_position_embeddings,
    rmsNormEps: fields.rms_norm_eps,
    tiedEmbeddings: fields.tie_word_embeddings,
    ...biases(fields),
    qkNorm: modelType === 'qwen3',
    attentionDropout: fields.attention_dropout,
    rope: parseRope(fields, source),
    eosTokenId: (Array.isArray(eos) ? eos[0] : eos) ?? undefined,
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    bosTokenId: fields.bos_token_id ?? undefined,
  };
}

/** Which projections carry biases, as each family's modeling code hard-wires or configures them. */
function biases(fields: LlamaConfigFields): Pick<LlamaConfig, 'qkvBias' | 'outputBias' | 'mlpBias'> {
  switch (fields.model_type) {
    case 'qwen2':
      return { qkvBias: true, outputBias: false, mlpBias: false };
    case 'mistral':
      return { qkvBias: false, outputBias: false, mlpBias: false };
    case 'qwen3':
      return { qkvBias: fields.attention_bias, outputBias: fields.attention_bias, mlpBias: false };
    default:
      return { qkvBias: fields.attention_bias, outputBias: fields.attention_bias, mlpBias: fields.mlp_bias };
  }
}

/** The default RoPE base of transformers 5 when a config names none. */
const DEFAULT_ROPE_THETA = 10000;

/**
 * RoPE settings from `rope_parameters` (transformers 5) or `rope_theta` + `rope_scaling`
 * (transformers 4), refusing types not implemented and parameters that are missing.
 */
function parseRope(fields: LlamaConfigFields, source: string): RopeSettings {
  const fromV5 = fields.rope_parameters != null;
  const field = fromV5 ? 'rope_parameters' : 'rope_scaling';
  const params: Record<string, unknown> = (fromV5 ? fields.rope_parameters : fields.rope_scaling) ?? {};
  const unsupported = (name: string, message: string): never => {
    throw new TrlError(UNSUPPORTED_CONFIG, `${fields.model_type} ${source}: ${field}.${name}: ${message}`);
  };
  if (fromV5 && Object.values(params).some((v) => typeof v === 'object' && v !== null)) {
    unsupported('(per layer type)', 'RoPE settings that differ per layer type are not supported.');
  }
  const typeKey = 'rope_type' in params ? 'rope_type' : 'type';
  const type = params[typeKey] ?? 'default';
  const thetaValue = params['rope_theta'] ?? fields.rope_theta ?? DEFAULT_ROPE_THETA;
  const number = (name: string, fallback?: number): number => {
    const value = params[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      return unsupported(
        name,
        `expected a positive number for rope type ${JSON.stringify(type)}, got ${JSON.stringify(value)}.`,
      );
    }
    return value;
  };
  const theta = typeof thetaValue === 'number' && thetaValue > 0 ? thetaValue : number('rope_theta');
  if (params['partial_rotary_factor'] !== undefined && params['partial_rotary_factor'] !== 1) {
    unsupported('partial_rotary_factor', 'partial RoPE is not supported; only 1 (the full head) is.');
  }
  switch (type) {
    case 'default':
      return { type: 'default', theta };
    case 'linear':
      return { type: 'linear', theta, factor: number('factor') };
    case 'llama3':
      return {
        type: 'llama3',
        theta,
        factor: number('factor'),
        lowFreqFactor: number('low_freq_factor'),
        highFreqFactor: number('high_freq_factor'),
        originalMaxPositions: number('original_max_position_embeddings', fields.max_position_embeddings),
      };
    default:
      return unsupported(
        typeKey,
        `RoPE type ${JSON.stringify(type)} is not supported; @trl/models implements "default", "linear" and ` +
          '"llama3". Use a checkpoint without that scaling, or remove it from config.json if the model was ' +
          'trained without it.',
      );
  }
}

/**
 * Sliding-window attention is not implemented. It is refused only where it would change results:
 * a window that some layer uses and that is shorter than the longest sequence the model accepts.
 */
function rejectSlidingWindow(fields: LlamaConfigFields, source: string): void {
  const window = fields.sliding_window;
  if (window == null || window >= fields.max_position_embeddings) return;
  let used: boolean;
  if (fields.model_type === 'mistral') {
    used = true;
  } else if (fields.layer_types != null) {
    used = fields.layer_types.includes('sliding_attention');
  } else {
    used = fields.use_sliding_window === true && (fields.max_window_layers ?? 28) < fields.num_hidden_layers;
  }
  if (!used) return;
  throw new TrlError(
    UNSUPPORTED_CONFIG,
    `${fields.model_type} ${source}: sliding_window: sliding-window attention (window ${window} < ` +
      `max_position_embeddings ${fields.max_position_embeddings}) is not supported. Set "sliding_window": null ` +
      `(exact for sequences up to ${window} tokens), or lower max_position_embeddings to ${window}.`,
  );
}
