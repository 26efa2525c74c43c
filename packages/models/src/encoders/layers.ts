import { layerNorm, linear, MASKED_SCORE, type SeedSource, tf } from '@trl/core';
import type { EncoderActivation, EncoderConfig } from './config';

/** Weights by checkpoint key (torch layout: linear weights are `[out, in]`). */
export type EncoderWeights = ReadonlyMap<string, tf.Variable>;

/** Module paths (checkpoint keys without `.weight`/`.bias`) of one encoder layer. */
export interface EncoderLayerKeys {
  /** Query, key and value projections. */
  readonly query: string;
  readonly key: string;
  readonly value: string;
  /** Projection of the attended values. */
  readonly attentionOutput: string;
  /** LayerNorm after the attention residual. */
  readonly attentionNorm: string;
  /** Feed-forward up projection. */
  readonly intermediate: string;
  /** Feed-forward down projection. */
  readonly output: string;
  /** LayerNorm after the feed-forward residual. */
  readonly outputNorm: string;
}

/** What one pass needs besides the weights. */
export interface PassContext {
  /** The weights. */
  readonly weights: EncoderWeights;
  /** The config. */
  readonly config: EncoderConfig;
  /** Dropout generator of a training pass; undefined outside training (no dropout). */
  readonly rng: SeedSource | undefined;
}

/** `x @ weightᵀ + bias` over the last axis for a torch `nn.Linear` stored under `module`. */
export function dense(context: PassContext, module: string, x: tf.Tensor): tf.Tensor {
  const weight = context.weights.get(`${module}.weight`) as tf.Tensor2D;
  const bias = context.weights.get(`${module}.bias`) as tf.Tensor1D | undefined;
  return linear(x, tf.transpose(weight), bias);
}

/** LayerNorm over the last axis with the config's epsilon. */
export function norm(context: PassContext, module: string, x: tf.Tensor): tf.Tensor {
  const { weights, config } = context;
  return layerNorm(
    x,
    weights.get(`${module}.weight`) as tf.Tensor1D,
    weights.get(`${module}.bias`) as tf.Tensor1D,
    config.layerNormEps,
  );
}

/** Inverted dropout in training passes; the identity otherwise. */
export function dropout<T extends tf.Tensor>(context: PassContext, x: T, rate: number): T {
  if (context.rng === undefined || rate === 0) return x;
  return tf.dropout(x, rate, undefined, context.rng.nextSeed()) as T;
}

/** The feed-forward activation by its transformers name. */
export function activate(activation: EncoderActivation, x: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'gelu':
      // The exact erf GELU, as torch's nn.functional.gelu (BERT's default).
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const cube = tf.mul(tf.mul(x, x), x);
      const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
  }
}

/**
 * Bidirectional multi-head self-attention: every query sees every real key of its row; padding
 * keys get {@link MASKED_SCORE} (a padding query still attends to the real keys, as transformers).
 */
function selfAttention(
  context: PassContext,
  keys: EncoderLayerKeys,
  x: tf.Tensor3D,
  keyBias: tf.Tensor4D,
): tf.Tensor3D {
  const [batch, seq, width] = x.shape;
  const heads = context.config.numHeads;
  const headDim = width / heads;
  const split = (t: tf.Tensor) =>
    tf.transpose(tf.reshape(t, [batch, seq, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(dense(context, keys.query, x));
  const k = split(dense(context, keys.key, x));
  const v = split(dense(context, keys.value, x));
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), keyBias);
  const probabilities = dropout(context, tf.softmax(scores), context.config.attentionDropout);
  const attended = tf.matMul(probabilities, v);
  return tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, seq, width]) as tf.Tensor3D;
}

/** The additive score bias `[batch, 1, 1, keys]` of an attention mask (1 real, 0 padding). */
export function keyPaddingBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, keys] = attentionMask.shape;
  const padding = tf.sub(1, tf.cast(attentionMask, 'float32'));
  return tf.reshape(tf.mul(padding, MASKED_SCORE), [batch, 1, 1, keys]) as tf.Tensor4D;
}

/**
 * One post-norm encoder layer, shared by BERT, DistilBERT and RoBERTa:
 * `h = LN(x + attn(x))`, then `LN(h + W₂·act(W₁·h))`, with dropout on both branches in training.
 */
export function encoderLayer(
  context: PassContext,
  keys: EncoderLayerKeys,
  x: tf.Tensor3D,
  keyBias: tf.Tensor4D,
): tf.Tensor3D {
  const { hiddenDropout, activation } = context.config;
  const attended = dense(context, keys.attentionOutput, selfAttention(context, keys, x, keyBias));
  const h = norm(context, keys.attentionNorm, tf.add(x, dropout(context, attended, hiddenDropout)));
  const inner = activate(activation, dense(context, keys.intermediate, h));
  const out = dropout(context, dense(context, keys.output, inner), hiddenDropout);
  return norm(context, keys.outputNorm, tf.add(h, out)) as tf.Tensor3D;
}

/**
 * The two linear layers every encoder classifier ends with: `output(dropout(act(hidden(features))))`,
 * with the config's classifier dropout.
 */
export function twoLayerHead(
  context: PassContext,
  features: tf.Tensor2D,
  hiddenModule: string,
  activation: (x: tf.Tensor) => tf.Tensor,
  outputModule: string,
): tf.Tensor2D {
  const inner = activation(dense(context, hiddenModule, features));
  return dense(
    context,
    outputModule,
    dropout(context, inner, context.config.classifierDropout),
  ) as tf.Tensor2D;
}

/** The hidden state of each row's first token (`[CLS]` or `<s>`), `[batch, hidden]`. */
export function firstToken(hidden: tf.Tensor3D): tf.Tensor2D {
  const [batch, , width] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, width]), [batch, width]) as tf.Tensor2D;
}
