import * as tf from '@tensorflow/tfjs';
import { check, checkDtype, checkRank, checkTensor, formatShape } from './validate';

/**
 * The score given to disallowed keys. Large and finite rather than −∞: a row whose keys are all
 * masked (a padding query) then softmaxes to a harmless uniform average instead of 0/0 = NaN, and
 * exp(−1e9 − max) is exactly 0 whenever the row has any allowed key.
 */
export const MASKED_SCORE = -1e9;

/** Options of {@link causalAttention}. */
export interface CausalAttentionOptions {
  /**
   * Key padding mask `[batch, keys]`: 1 (or true) where the key is a real token, 0 for padding.
   * int32, float32 or bool. Default: every key is real.
   */
  attentionMask?: tf.Tensor2D;
  /**
   * Dropout probability applied to the attention weights after the softmax (GPT-2's `attn_pdrop`),
   * for training only. Kept weights are scaled by 1 / (1 − rate). Default 0 (no dropout).
   */
  dropout?: number;
  /** Seed of the dropout mask, so a training step can be replayed. Default: unseeded. */
  seed?: number;
}

/**
 * Additive score bias `[queries, keys]` (or `[batch, 1, queries, keys]` with a padding mask):
 * 0 where query i may see key j, {@link MASKED_SCORE} elsewhere. Queries are the last `queries`
 * positions of the key sequence (a KV cache holds the earlier ones), so i sees j iff
 * j ≤ i + (keys − queries).
 */
function scoreBias(queries: number, keys: number, attentionMask?: tf.Tensor2D): tf.Tensor {
  const offset = keys - queries;
  const lastVisibleKey = tf.reshape(tf.range(offset, queries + offset, 1, 'int32'), [queries, 1]);
  const key = tf.reshape(tf.range(0, keys, 1, 'int32'), [1, keys]);
  const causal = tf.where(tf.lessEqual(key, lastVisibleKey), tf.scalar(0), tf.scalar(MASKED_SCORE));
  if (attentionMask === undefined) return causal;
  const keep = tf.cast(attentionMask, 'float32');
  const padding = tf.mul(tf.sub(1, keep), MASKED_SCORE);
  // Added, not min'ed: wasm's broadcast Add is vectorised and Minimum is not. A key both masked
  // twice scores -2e9, still nothing after softmax.
  return tf.add(causal, tf.reshape(padding, [attentionMask.shape[0], 1, 1, keys]));
}

/**
 * Causal scaled dot-product attention: `softmax(q·kᵀ/√d + mask)·v`.
 *
 * `q [batch, heads, queries, d]`, `k [batch, heads, keys, d]`, `v [batch, heads, keys, dv]`, giving
 * `[batch, heads, queries, dv]`. Optional dropout on the attention weights. With `queries < keys` the queries are the latest positions (KV-cache
 * decoding). Uses the batched MatMul with transpose flags: on wasm the batched kernel is slow either
 * way, and measured no faster with explicitly transposed operands or a loop of 2-D products.
 */
export function causalAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  options: CausalAttentionOptions = {},
): tf.Tensor4D {
  const op = 'causalAttention';
  for (const [name, t, layout] of [
    ['q', q, '[batch, heads, queries, d]'],
    ['k', k, '[batch, heads, keys, d]'],
    ['v', v, '[batch, heads, keys, dv]'],
  ] as const) {
    checkTensor(t, op, name);
    checkRank(t, 4, op, name, layout);
    checkDtype(t, 'float32', op, name);
  }
  const [batch, heads, queries, depth] = q.shape;
  const keys = k.shape[2];
  check(
    k.shape[0] === batch && k.shape[1] === heads && k.shape[3] === depth,
    op,
    () =>
      `k must be [${batch}, ${heads}, keys, ${depth}] to match q ${formatShape(q.shape)}, ` +
      `got ${formatShape(k.shape)}`,
  );
  check(
    v.shape[0] === batch && v.shape[1] === heads && v.shape[2] === keys,
    op,
    () =>
      `v must be [${batch}, ${heads}, ${keys}, dv] to match k ${formatShape(k.shape)}, got ${formatShape(v.shape)}`,
  );
  check(
    depth > 0 && keys > 0,
    op,
    () => `q and k need at least one key and one feature, got k ${formatShape(k.shape)}`,
  );
  check(
    queries <= keys,
    op,
    () =>
      `q has ${queries} positions but k only ${keys}; queries must be the last positions of the key ` +
      `sequence (keys = cached + new)`,
  );
  const { attentionMask } = options;
  if (attentionMask !== undefined) {
    checkTensor(attentionMask, op, 'attentionMask');
    check(
      attentionMask.rank === 2 && attentionMask.shape[0] === batch && attentionMask.shape[1] === keys,
      op,
      () =>
        `attentionMask must be [batch, keys] = [${batch}, ${keys}], got ${formatShape(attentionMask.shape)}`,
    );
    check(
      ['int32', 'float32', 'bool'].includes(attentionMask.dtype),
      op,
      () => `attentionMask must hold 1/0 as int32, float32 or bool, got dtype ${attentionMask.dtype}`,
    );
  }
  const { dropout = 0, seed } = options;
  check(
    Number.isFinite(dropout) && dropout >= 0 && dropout < 1,
    op,
    () => `dropout must be a probability in [0, 1), got ${dropout}`,
  );
  return tf.tidy(() => {
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(depth));
    const weights = tf.softmax(tf.add(scores, scoreBias(queries, keys, attentionMask)));
    const kept = dropout > 0 ? tf.dropout(weights, dropout, undefined, seed) : weights;
    return tf.matMul(kept, v);
  });
}
