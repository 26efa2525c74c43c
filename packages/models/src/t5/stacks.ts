import { embedding, tf } from '@trl/core';
import {
  attend,
  causalBias,
  dropout,
  feedForward,
  keyMaskBias,
  positionBias,
  project,
  rmsNorm,
  splitHeads,
  type T5Context,
} from './layers';
import { blockKey, relativeBiasKey } from './weights';

/** Keys and values of one attention layer, `[batch, heads, len, dKv]`. */
export type KeyValues = {
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
};

function embed(context: T5Context, ids: tf.Tensor2D): tf.Tensor3D {
  const table = context.weights.get('shared.weight') as tf.Tensor2D;
  return dropout(context, embedding(ids, table) as tf.Tensor3D);
}

/**
 * The encoder: bidirectional self-attention over the real tokens (padding keys hidden), the
 * layer-0 position bias shared by every layer, pre-norm residual blocks, a final RMS norm.
 */
export function runEncoder(context: T5Context, inputIds: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
  const seq = inputIds.shape[1];
  const bias = tf.add(
    positionBias(context, relativeBiasKey('encoder'), 0, seq, seq, true),
    keyMaskBias(mask),
  );
  let x = embed(context, inputIds);
  for (let i = 0; i < context.config.numLayers; i++) {
    const module = `${blockKey('encoder', i, 0)}.SelfAttention`;
    const h = rmsNorm(context, `${blockKey('encoder', i, 0)}.layer_norm`, x);
    const q = splitHeads(context, project(context, `${module}.q`, h));
    const k = splitHeads(context, project(context, `${module}.k`, h));
    const v = splitHeads(context, project(context, `${module}.v`, h));
    x = tf.add(x, dropout(context, attend(context, module, q, k, v, bias)));
    x = feedForward(context, blockKey('encoder', i, 1), x);
  }
  return dropout(context, rmsNorm(context, 'encoder.final_layer_norm', x) as tf.Tensor3D);
}

/** Each decoder layer's cross-attention keys and values of the encoder output (computed once per batch). */
export function crossKeyValues(context: T5Context, encoded: tf.Tensor3D): KeyValues[] {
  return Array.from({ length: context.config.numDecoderLayers }, (_, i) => {
    const module = `${blockKey('decoder', i, 1)}.EncDecAttention`;
    return {
      k: splitHeads(context, project(context, `${module}.k`, encoded)),
      v: splitHeads(context, project(context, `${module}.v`, encoded)),
    };
  });
}

/** Input of {@link runDecoder}. */
export interface DecoderPass {
  /** Decoder tokens `[batch, n]` at positions `start..start+n-1`. */
  readonly ids: tf.Tensor2D;
  /** Position of the first token (the length of `past`). */
  readonly start: number;
  /** Self-attention keys and values of earlier positions, per layer (generation). */
  readonly past?: readonly KeyValues[];
  /** Cross-attention keys and values of the encoder output, per layer. */
  readonly cross: readonly KeyValues[];
  /** Hides encoder padding from the cross-attention, `[batch, 1, 1, srcLen]`. */
  readonly crossBias: tf.Tensor4D;
  /** Decoder padding mask `[batch, start + n]` (teacher forcing), on top of the causal mask. */
  readonly mask?: tf.Tensor2D;
}

/**
 * The decoder: causal self-attention with the layer-0 causal position bias, cross-attention over
 * the encoder output (no position bias), feed-forward; returns the final-norm hidden states and
 * each layer's self-attention keys and values including the new positions.
 */
export function runDecoder(
  context: T5Context,
  pass: DecoderPass,
): { hidden: tf.Tensor3D; present: KeyValues[] } {
  const n = pass.ids.shape[1];
  const keys = pass.start + n;
  if (n > 1 && pass.start > 0)
    throw new Error('runDecoder: several new tokens after a cache are not supported');
  let selfBias: tf.Tensor = positionBias(context, relativeBiasKey('decoder'), pass.start, n, keys, false);
  if (n > 1) selfBias = tf.add(selfBias, causalBias(n));
  if (pass.mask) selfBias = tf.add(selfBias, keyMaskBias(pass.mask));
  let x = embed(context, pass.ids);
  const present: KeyValues[] = [];
  for (let i = 0; i < context.config.numDecoderLayers; i++) {
    const self = `${blockKey('decoder', i, 0)}.SelfAttention`;
    const h = rmsNorm(context, `${blockKey('decoder', i, 0)}.layer_norm`, x);
    const q = splitHeads(context, project(context, `${self}.q`, h));
    let k = splitHeads(context, project(context, `${self}.k`, h));
    let v = splitHeads(context, project(context, `${self}.v`, h));
    const past = pass.past?.[i];
    if (past) {
      k = tf.concat([past.k, k], 2);
      v = tf.concat([past.v, v], 2);
    }
    present.push({ k, v });
    x = tf.add(x, dropout(context, attend(context, self, q, k, v, selfBias)));
    const crossModule = `${blockKey('decoder', i, 1)}.EncDecAttention`;
    const hc = rmsNorm(context, `${blockKey('decoder', i, 1)}.layer_norm`, x);
    const qc = splitHeads(context, project(context, `${crossModule}.q`, hc));
    const cross = pass.cross[i]!;
    x = tf.add(x, dropout(context, attend(context, crossModule, qc, cross.k, cross.v, pass.crossBias)));
    x = feedForward(context, blockKey('decoder', i, 2), x);
  }
  const hidden = dropout(context, rmsNorm(context, 'decoder.final_layer_norm', x) as tf.Tensor3D);
  return { hidden, present };
}

export { keyMaskBias };
