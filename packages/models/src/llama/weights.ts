import { tf } from '@trl/core';
import type { LlamaConfig } from './config';

/** A 2-D weight variable. */
export type Matrix = tf.Variable<tf.Rank.R2>;

/** A 1-D weight variable. */
export type Vector = tf.Variable<tf.Rank.R1>;

/**
 * A projection (`nn.Linear`). The weight is held as `[in, out]`, the transpose of the checkpoint's
 * `[out, in]`, so the forward pass is the plain `x @ weight` that is fast on every backend; loading
 * and saving transpose it.
 */
export interface LlamaLinear {
  /** Module path without `.weight`, e.g. `model.layers.0.self_attn.q_proj` (LoRA targets match on it). */
  readonly name: string;
  /** `[in, out]` weight. */
  readonly weight: Matrix;
  /** `[out]` bias, when the config has one. */
  readonly bias?: Vector;
}

/** One decoder layer. */
export interface LlamaLayerWeights {
  /** RMSNorm scale before attention. */
  readonly inputNorm: Vector;
  /** Query projection `[hidden, heads * head_dim]`. */
  readonly q: LlamaLinear;
  /** Key projection `[hidden, kv_heads * head_dim]`. */
  readonly k: LlamaLinear;
  /** Value projection `[hidden, kv_heads * head_dim]`. */
  readonly v: LlamaLinear;
  /** Output projection `[heads * head_dim, hidden]`. */
  readonly o: LlamaLinear;
  /** Per-head RMSNorm of queries `[head_dim]` (Qwen3). */
  readonly qNorm?: Vector;
  /** Per-head RMSNorm of keys `[head_dim]` (Qwen3). */
  readonly kNorm?: Vector;
  /** RMSNorm scale before the MLP. */
  readonly postAttentionNorm: Vector;
  /** SwiGLU gate `[hidden, intermediate]`. */
  readonly gate: LlamaLinear;
  /** SwiGLU up projection `[hidden, intermediate]`. */
  readonly up: LlamaLinear;
  /** SwiGLU down projection `[intermediate, hidden]`. */
  readonly down: LlamaLinear;
}

/** Every parameter of a `LlamaForCausalLM`-style model. */
export interface LlamaWeights {
  /** Token embedding `[vocab, hidden]`; also the LM head when tied. */
  readonly embedTokens: Matrix;
  /** The decoder layers, in order. */
  readonly layers: readonly LlamaLayerWeights[];
  /** Final RMSNorm scale. */
  readonly norm: Vector;
  /** Separate LM head `[vocab, hidden]` (checkpoint layout), when the embeddings are not tied. */
  readonly lmHead?: Matrix;
}

/** A weight with its checkpoint key. */
export interface LlamaNamedWeight {
  /** Checkpoint key, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  readonly key: string;
  /** The variable (projection weights transposed, see {@link LlamaLinear}). */
  readonly variable: tf.Variable;
  /** Whether the variable is the transpose of the checkpoint tensor. */
  readonly transposed: boolean;
  /** The decoder layer it belongs to: -1 for the embedding, the layer count for the final norm and head. */
  readonly layer: number;
}

/** The weights in `named_parameters()` order with their checkpoint keys. */
export function llamaNamedWeights(weights: LlamaWeights): LlamaNamedWeight[] {
  const out: LlamaNamedWeight[] = [];
  let index = -1;
  const plain = (key: string, variable: tf.Variable) =>
    out.push({ key, variable, transposed: false, layer: index });
  const linear = (layer: LlamaLinear) => {
    out.push({ key: `${layer.name}.weight`, variable: layer.weight, transposed: true, layer: index });
    if (layer.bias) plain(`${layer.name}.bias`, layer.bias);
  };
  plain('model.embed_tokens.weight', weights.embedTokens);
  weights.layers.forEach((layer, i) => {
    index = i;
    const prefix = `model.layers.${i}`;
    linear(layer.q);
    linear(layer.k);
    linear(layer.v);
    linear(layer.o);
    if (layer.qNorm) plain(`${prefix}.self_attn.q_norm.weight`, layer.qNorm);
    if (layer.kNorm) plain(`${prefix}.self_attn.k_norm.weight`, layer.kNorm);
    linear(layer.gate);
    linear(layer.up);
    linear(layer.down);
    plain(`${prefix}.input_layernorm.weight`, layer.inputNorm);
    plain(`${prefix}.post_attention_layernorm.weight`, layer.postAttentionNorm);
  });
  index = weights.layers.length;
  plain('model.norm.weight', weights.norm);
  if (weights.lmHead) plain('lm_head.weight', weights.lmHead);
  return out;
}

/** Every projection of the layers, for LoRA targeting. */
export function llamaLinearModules(weights: LlamaWeights): LlamaLinear[] {
  return weights.layers.flatMap((l) => [l.q, l.k, l.v, l.o, l.gate, l.up, l.down]);
}

/** The checkpoint shape (`[out, in]` for projections) of every key the config needs. */
export function llamaCheckpointShapes(config: LlamaConfig): Map<string, number[]> {
  const { hiddenSize: d, headDim, intermediateSize: inner } = config;
  const qWidth = config.heads * headDim;
  const kvWidth = config.kvHeads * headDim;
  const shapes = new Map<string, number[]>([['model.embed_tokens.weight', [config.vocabSize, d]]]);
  const linear = (name: string, inFeatures: number, outFeatures: number, bias: boolean) => {
    shapes.set(`${name}.weight`, [outFeatures, inFeatures]);
    if (bias) shapes.set(`${name}.bias`, [outFeatures]);
  };
  for (let i = 0; i < config.layers; i++) {
    const p = `model.layers.${i}`;
    linear(`${p}.self_attn.q_proj`, d, qWidth, config.qkvBias);
    linear(`${p}.self_attn.k_proj`, d, kvWidth, config.qkvBias);
    linear(`${p}.self_attn.v_proj`, d, kvWidth, config.qkvBias);
    linear(`${p}.self_attn.o_proj`, qWidth, d, config.outputBias);
    if (config.qkNorm) {
      shapes.set(`${p}.self_attn.q_norm.weight`, [headDim]);
      shapes.set(`${p}.self_attn.k_norm.weight`, [headDim]);
    }
    linear(`${p}.mlp.gate_proj`, d, inner, config.mlpBias);
    linear(`${p}.mlp.up_proj`, d, inner, config.mlpBias);
    linear(`${p}.mlp.down_proj`, inner, d, config.mlpBias);
    shapes.set(`${p}.input_layernorm.weight`, [d]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [d]);
  }
  shapes.set('model.norm.weight', [d]);
  if (!config.tiedEmbeddings) shapes.set('lm_head.weight', [config.vocabSize, d]);
  return shapes;
}

let builtModels = 0;

/**
 * Builds the weights from a key → checkpoint-layout tensor function (projection weights are
 * transposed into `[in, out]` here). The function's tensors are disposed once copied into variables.
 */
export function buildLlamaWeights(
  config: LlamaConfig,
  initial: (key: string, shape: number[]) => tf.Tensor,
): LlamaWeights {
  const shapes = llamaCheckpointShapes(config);
  const instance = ++builtModels;
  const variable = <R extends tf.Rank>(key: string, transpose = false): tf.Variable<R> => {
    const value = initial(key, shapes.get(key)!);
    const v = tf.tidy(() =>
      tf.variable(transpose ? tf.transpose(value) : value, true, `${key}@${config.modelType}-${instance}`),
    );
    value.dispose();
    return v as tf.Variable<R>;
  };
  const linear = (name: string): LlamaLinear => {
    const weight = variable<tf.Rank.R2>(`${name}.weight`, true);
    return shapes.has(`${name}.bias`)
      ? { name, weight, bias: variable<tf.Rank.R1>(`${name}.bias`) }
      : { name, weight };
  };
  const optional = (key: string) => (shapes.has(key) ? variable<tf.Rank.R1>(key) : undefined);
  const embedTokens = variable<tf.Rank.R2>('model.embed_tokens.weight');
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < config.layers; i++) {
    const p = `model.layers.${i}`;
    const qNorm = optional(`${p}.self_attn.q_norm.weight`);
    const kNorm = optional(`${p}.self_attn.k_norm.weight`);
    layers.push({
      inputNorm: variable<tf.Rank.R1>(`${p}.input_layernorm.weight`),
      q: linear(`${p}.self_attn.q_proj`),
      k: linear(`${p}.self_attn.k_proj`),
      v: linear(`${p}.self_attn.v_proj`),
      o: linear(`${p}.self_attn.o_proj`),
      ...(qNorm && kNorm ? { qNorm, kNorm } : {}),
      postAttentionNorm: variable<tf.Rank.R1>(`${p}.post_attention_layernorm.weight`),
      gate: linear(`${p}.mlp.gate_proj`),
      up: linear(`${p}.mlp.up_proj`),
      down: linear(`${p}.mlp.down_proj`),
    });
  }
  const norm = variable<tf.Rank.R1>('model.norm.weight');
  const lmHead = config.tiedEmbeddings ? undefined : variable<tf.Rank.R2>('lm_head.weight');
  return lmHead ? { embedTokens, layers, norm, lmHead } : { embedTokens, layers, norm };
}

/** The same structure with every variable replaced by `f(variable)` (reference-model copies). */
export function mapLlamaWeights(
  weights: LlamaWeights,
  f: <R extends tf.Rank>(v: tf.Variable<R>) => tf.Variable<R>,
): LlamaWeights {
  const linear = (l: LlamaLinear): LlamaLinear =>
    l.bias ? { name: l.name, weight: f(l.weight), bias: f(l.bias) } : { name: l.name, weight: f(l.weight) };
  const layers = weights.layers.map((l) => ({
    inputNorm: f(l.inputNorm),
    q: linear(l.q),
    k: linear(l.k),
    v: linear(l.v),
    o: linear(l.o),
    ...(l.qNorm && l.kNorm ? { qNorm: f(l.qNorm), kNorm: f(l.kNorm) } : {}),
    postAttentionNorm: f(l.postAttentionNorm),
    gate: linear(l.gate),
    up: linear(l.up),
    down: linear(l.down),
  }));
  const base = { embedTokens: f(weights.embedTokens), layers, norm: f(weights.norm) };
  return weights.lmHead ? { ...base, lmHead: f(weights.lmHead) } : base;
}
