import { TrlError } from '@trl/core';
import { ConfigReader } from '../encoders/config';

/** Feed-forward activations T5 checkpoints use, by transformers' names. */
export type T5Activation = 'relu' | 'gelu' | 'gelu_new' | 'silu';

const ACTIVATIONS: readonly T5Activation[] = ['relu', 'gelu', 'gelu_new', 'silu'];

/** A validated T5 `config.json` (T5, T5 v1.1, FLAN-T5) under this package's names. */
export interface T5Config {
  /** Rows of the shared embedding. */
  readonly vocabSize: number;
  /** Width of the hidden states (`d_model`). */
  readonly dModel: number;
  /** Width of one attention head (`d_kv`; heads × d_kv need not equal d_model). */
  readonly dKv: number;
  /** Inner width of the feed-forward block (`d_ff`). */
  readonly dFf: number;
  /** Encoder layers (`num_layers`). */
  readonly numLayers: number;
  /** Decoder layers (`num_decoder_layers`, default `num_layers`). */
  readonly numDecoderLayers: number;
  /** Attention heads per layer. */
  readonly numHeads: number;
  /** Relative-position buckets of the layer-0 attention bias. */
  readonly numBuckets: number;
  /** Distance beyond which relative positions share the last bucket. */
  readonly maxDistance: number;
  /** Dropout everywhere (training only). */
  readonly dropoutRate: number;
  /** Epsilon of the RMS layer norms. */
  readonly layerNormEps: number;
  /** Feed-forward activation. */
  readonly activation: T5Activation;
  /** Whether the feed-forward is gated (`gated-*`, T5 v1.1): `act(wi_0 x) * wi_1 x`. */
  readonly gated: boolean;
  /**
   * Whether the decoder output is scaled by d_model^-0.5 before the head: original T5 (tied head)
   * does, v1.1 / FLAN (`tie_word_embeddings: false`) does not.
   */
  readonly scaleDecoderOutputs: boolean;
  /** Whether the config allows the head to share the embedding when the checkpoint has no `lm_head.weight`. */
  readonly tieWordEmbeddings: boolean;
  /** Padding id (T5: 0). */
  readonly padTokenId: number;
  /** End-of-sequence id (T5: 1). */
  readonly eosTokenId: number | undefined;
  /** The first decoder token (T5: the pad id). */
  readonly decoderStartTokenId: number;
  /** Scale of transformers' init, used by `createT5`. */
  readonly initializerFactor: number;
  /** The config as read, written back on save (unknown keys kept). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * Validates a T5 `config.json`, collecting every bad field into one TrlConfigError. Both
 * transformers 4's layout (`tie_word_embeddings` decides the output rescale) and 5's
 * (`scale_decoder_outputs`) are read.
 */
export function parseT5Config(raw: Readonly<Record<string, unknown>>, source = 'config'): T5Config {
  if (raw['model_type'] !== 't5') {
    throw new TrlError(
      'unsupported-model-type',
      `${source}: model_type must be "t5" for T5, got ${JSON.stringify(raw['model_type'])}.`,
    );
  }
  const read = new ConfigReader(raw);
  const vocabSize = read.integer('vocab_size', 32128);
  const dModel = read.integer('d_model', 512);
  const dKv = read.integer('d_kv', 64);
  const dFf = read.integer('d_ff', 2048);
  const numLayers = read.integer('num_layers', 6);
  const numDecoderLayers =
    raw['num_decoder_layers'] === null || raw['num_decoder_layers'] === undefined
      ? numLayers
      : read.integer('num_decoder_layers', numLayers);
  const numHeads = read.integer('num_heads', 8);
  const numBuckets = read.integer('relative_attention_num_buckets', 32);
  if (numBuckets < 4) read.fail('relative_attention_num_buckets', `must be ≥ 4, got ${numBuckets}`);
  const maxDistance = read.integer('relative_attention_max_distance', 128);
  const dropoutRate = read.number('dropout_rate', 0.1, 0, 1);
  const layerNormEps = read.number('layer_norm_epsilon', 1e-6, 0, 1, true);
  const initializerFactor = read.number('initializer_factor', 1, 0, Number.MAX_VALUE, true);
  const { activation, gated } = feedForward(read, raw['feed_forward_proj'] ?? 'relu');
  const tie = raw['tie_word_embeddings'];
  if (tie !== undefined && typeof tie !== 'boolean')
    read.fail('tie_word_embeddings', 'must be true or false');
  const scale = raw['scale_decoder_outputs'];
  if (scale !== undefined && typeof scale !== 'boolean')
    read.fail('scale_decoder_outputs', 'must be true or false');
  const padTokenId = read.optionalId('pad_token_id', 0) ?? 0;
  const eos = raw['eos_token_id'];
  const eosTokenId = Array.isArray(eos)
    ? read.optionalId('eos_token_id', undefined) // refused with a clear message below
    : read.optionalId('eos_token_id', 1);
  if (Array.isArray(eos)) read.fail('eos_token_id', 'must be one token id for T5');
  const decoderStartTokenId = read.optionalId('decoder_start_token_id', padTokenId) ?? padTokenId;
  for (const [key, id] of [
    ['pad_token_id', padTokenId],
    ['eos_token_id', eosTokenId],
    ['decoder_start_token_id', decoderStartTokenId],
  ] as const) {
    if (id !== undefined && id >= vocabSize) read.fail(key, `${id} is outside vocab_size ${vocabSize}`);
  }
  read.finish(source);
  return {
    vocabSize,
    dModel,
    dKv,
    dFf,
    numLayers,
    numDecoderLayers,
    numHeads,
    numBuckets,
    maxDistance,
    dropoutRate,
    layerNormEps,
    activation,
    gated,
    // transformers 5 writes the rescale explicitly; before, an untied head meant no rescale.
    scaleDecoderOutputs: typeof scale === 'boolean' ? scale : tie !== false,
    tieWordEmbeddings: tie !== false,
    padTokenId,
    eosTokenId,
    decoderStartTokenId,
    initializerFactor,
    raw,
  };
}

/** `relu`, `gated-gelu` (T5 v1.1's gelu is the tanh approximation), `gated-silu`, ... */
function feedForward(read: ConfigReader, value: unknown): { activation: T5Activation; gated: boolean } {
  const fallback = { activation: 'relu' as const, gated: false };
  if (typeof value !== 'string') {
    read.fail(
      'feed_forward_proj',
      `must be a string such as "relu" or "gated-gelu", got ${JSON.stringify(value)}`,
    );
    return fallback;
  }
  const parts = value.split('-');
  const gated = parts.length === 2 && parts[0] === 'gated';
  const name = parts[parts.length - 1] as T5Activation;
  if ((parts.length === 2 && !gated) || parts.length > 2 || !ACTIVATIONS.includes(name)) {
    read.fail(
      'feed_forward_proj',
      `${JSON.stringify(value)} is not supported; use ${ACTIVATIONS.join(', ')} or gated-<one of them>`,
    );
    return fallback;
  }
  // transformers maps gated-gelu to the tanh GELU for backwards compatibility with T5 v1.1.
  return { activation: value === 'gated-gelu' ? 'gelu_new' : name, gated };
}
