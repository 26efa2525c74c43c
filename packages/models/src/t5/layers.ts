import { embedding, MASKED_SCORE, type SeedSource, tf } from '@trl/core';
import { activate } from '../encoders/layers';
import type { T5Config } from './config';

/** Weights by checkpoint key. */
export type T5Weights = ReadonlyMap<string, tf.Variable>;

/** What one pass needs besides its inputs. */
export interface T5Context {
  readonly weights: T5Weights;
  readonly config: T5Config;
  /** Dropout generator of a training pass; undefined outside training. */
  readonly rng: SeedSource | undefined;
}

/** A bias-free torch Linear stored under `module`: `x @ weightᵀ`. */
export function project(context: T5Context, module: string, x: tf.Tensor): tf.Tensor {
  const weight = context.weights.get(`${module}.weight`) as tf.Tensor2D;
  const [batch, seq, width] = x.shape as [number, number, number];
  const flat = tf.matMul(tf.reshape(x, [batch * seq, width]), weight, false, true);
  return tf.reshape(flat, [batch, seq, weight.shape[0]]);
}

/** T5's layer norm: RMS scaling with a gain, no mean subtraction and no bias. */
export function rmsNorm(context: T5Context, module: string, x: tf.Tensor): tf.Tensor {
  const variance = tf.mean(tf.square(x), -1, true);
  const normed = tf.mul(x, tf.rsqrt(tf.add(variance, context.config.layerNormEps)));
  return tf.mul(normed, context.weights.get(`${module}.weight`) as tf.Tensor1D);
}

/** Inverted dropout at the config's rate in training passes; the identity otherwise. */
export function dropout<T extends tf.Tensor>(context: T5Context, x: T): T {
  const rate = context.config.dropoutRate;
  if (context.rng === undefined || rate === 0) return x;
  return tf.dropout(x, rate, undefined, context.rng.nextSeed()) as T;
}

/** Splits `[batch, seq, heads * dKv]` into `[batch, heads, seq, dKv]`. */
export function splitHeads(context: T5Context, x: tf.Tensor): tf.Tensor4D {
  const [batch, seq] = x.shape as [number, number, number];
  const { numHeads, dKv } = context.config;
  return tf.transpose(tf.reshape(x, [batch, seq, numHeads, dKv]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/**
 * Attention of queries over given keys and values (`[batch, heads, len, dKv]`), with an additive
 * `bias` broadcast to `[batch, heads, queries, keys]` (relative positions plus masks). T5 does not
 * scale the scores by 1/sqrt(dKv): its init folds that in.
 */
export function attend(
  context: T5Context,
  module: string,
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor,
): tf.Tensor3D {
  const scores = tf.add(tf.matMul(q, k, false, true), bias);
  const probabilities = dropout(context, tf.softmax(scores));
  const attended = tf.matMul(probabilities, v);
  const [batch, heads, seq, dKv] = attended.shape as [number, number, number, number];
  const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, seq, heads * dKv]);
  return project(context, `${module}.o`, merged) as tf.Tensor3D;
}

/** T5's feed-forward sub-layer under `module`, residual included. */
export function feedForward(context: T5Context, module: string, x: tf.Tensor3D): tf.Tensor3D {
  const { activation, gated } = context.config;
  const h = rmsNorm(context, `${module}.layer_norm`, x);
  const ff = `${module}.DenseReluDense`;
  const act = (t: tf.Tensor) => (activation === 'silu' ? tf.mul(t, tf.sigmoid(t)) : activate(activation, t));
  const inner = gated
    ? tf.mul(act(project(context, `${ff}.wi_0`, h)), project(context, `${ff}.wi_1`, h))
    : act(project(context, `${ff}.wi`, h));
  const out = project(context, `${ff}.wo`, dropout(context, inner));
  return tf.add(x, dropout(context, out)) as tf.Tensor3D;
}

/**
 * T5's bucket of a relative position (`key - query`): exact buckets for small distances, then
 * logarithmically wider ones up to `maxDistance`. Bidirectional (encoder) buckets split the range
 * between keys before and after the query; causal (decoder) ones only see keys before it.
 * Evaluated in float32 steps as torch does, so bucket edges agree.
 */
export function relativeBucket(
  relative: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): number {
  let buckets = numBuckets;
  let bucket = 0;
  let distance: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (relative > 0) bucket += buckets;
    distance = Math.abs(relative);
  } else {
    distance = -Math.min(relative, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (distance < maxExact) return bucket + distance;
  const f = Math.fround;
  const logRatio = f(Math.log(f(distance / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (buckets - maxExact));
  const large = Math.min(maxExact + Math.trunc(scaled), buckets - 1);
  return bucket + large;
}

/**
 * The relative-position bias `[1, heads, queries, keys]` for query positions
 * `queryStart..queryStart+queries-1` against key positions `0..keys-1`, from the layer-0 table.
 */
export function positionBias(
  context: T5Context,
  tableKey: string,
  queryStart: number,
  queries: number,
  keys: number,
  bidirectional: boolean,
): tf.Tensor4D {
  const { numBuckets, maxDistance, numHeads } = context.config;
  const ids = new Int32Array(queries * keys);
  for (let q = 0; q < queries; q++) {
    for (let k = 0; k < keys; k++) {
      ids[q * keys + k] = relativeBucket(k - (queryStart + q), bidirectional, numBuckets, maxDistance);
    }
  }
  const table = context.weights.get(tableKey) as tf.Tensor2D;
  // core's embedding has a gradient every backend runs (tfjs's gather gradient does not on wasm).
  const gathered = embedding(tf.tensor1d(ids, 'int32'), table); // [q * k, heads]
  return tf.reshape(tf.transpose(gathered), [1, numHeads, queries, keys]) as tf.Tensor4D;
}

/** The additive bias `[batch, 1, 1, keys]` that hides padding keys (mask 0). */
export function keyMaskBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [batch, keys] = mask.shape;
  const hidden = tf.sub(1, tf.cast(mask, 'float32'));
  return tf.reshape(tf.mul(hidden, MASKED_SCORE), [batch, 1, 1, keys]) as tf.Tensor4D;
}

/** The additive bias `[1, 1, queries, keys]` that hides later keys from each query. */
export function causalBias(queries: number): tf.Tensor4D {
  const lower = tf.linalg.bandPart(tf.ones([queries, queries]), -1, 0);
  return tf.reshape(tf.mul(tf.sub(1, lower), MASKED_SCORE), [1, 1, queries, queries]) as tf.Tensor4D;
}
