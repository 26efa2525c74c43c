import { linear, tf } from '@trl/core';
import { positionsFromMask } from '../gpt2/input';
import type { LayerCache } from '../transformer-io';
import { type DecoderModel, type Decoding, type DecodingRow, leftPad } from './decoding';

/** The tensors carried from one decoding step to the next (all rows still generating). */
type DecodeState = {
  /** Next-token logits of each active row `[rows, vocab]`. */
  logits: tf.Tensor2D;
  /** Keys/values per layer. */
  cache: LayerCache[];
  /** Mask over every cached position `[rows, seen]`. */
  mask: tf.Tensor2D;
};

/** Decoding with the model's own tensor ops and a tensor KV cache (works on every backend). */
export function createTensorDecoding(
  model: DecoderModel,
  prompts: readonly (readonly number[])[],
  padTokenId: number,
): Decoding {
  // One transposed LM-head weight for the whole call: wasm's matmul re-packs every new weight tensor.
  const headWeightT = model.lmHeadWeightT();
  let state: DecodeState;
  try {
    state = prefill(model, prompts, padTokenId, headWeightT);
  } catch (error) {
    headWeightT.dispose();
    throw error;
  }
  return {
    logits: async () => (await state.logits.data()) as Float32Array,
    feed: (rows, keep) => {
      state = decodeStep(model, state, rows, keep, headWeightT);
    },
    dispose: () => {
      disposeState(state);
      headWeightT.dispose();
    },
  };
}

/** Runs the left-padded prompts through the model, keeping the cache and the last position's logits. */
function prefill(
  model: DecoderModel,
  prompts: readonly (readonly number[])[],
  padTokenId: number,
  headWeightT: tf.Tensor2D,
): DecodeState {
  const { rows, width, ids, mask } = leftPad(prompts, padTokenId);
  return tf.tidy(() => {
    const attentionMask = tf.tensor2d(mask, [rows, width], 'int32');
    const { hidden, present } = model.transformer({
      inputIds: tf.tensor2d(ids, [rows, width], 'int32'),
      attentionMask,
      positionIds: tf.tensor2d(positionsFromMask(mask, rows, width), [rows, width], 'int32'),
      training: false,
      useCache: true,
    });
    const last = tf.reshape(tf.slice(hidden, [0, width - 1, 0], [-1, 1, -1]), [rows, -1]) as tf.Tensor2D;
    return { logits: linear(last, headWeightT) as tf.Tensor2D, cache: present!, mask: attentionMask };
  });
}

/**
 * Feeds each continuing row its newest token. `keep` lists the rows of the previous state that are
 * still generating when some finished; their cache rows are gathered and the rest freed.
 */
function decodeStep(
  model: DecoderModel,
  previous: DecodeState,
  rows: readonly DecodingRow[],
  keep: readonly number[] | undefined,
  headWeightT: tf.Tensor2D,
): DecodeState {
  const next = tf.tidy(() => {
    const pick = <T extends tf.Tensor>(t: T): T => (keep ? (tf.gather(t, keep, 0) as T) : t);
    const past = previous.cache.map((layer) => ({ key: pick(layer.key), value: pick(layer.value) }));
    const mask = tf.concat([pick(previous.mask), tf.ones([rows.length, 1], 'int32')], 1) as tf.Tensor2D;
    const { hidden, present } = model.transformer({
      inputIds: tf.tensor2d(
        rows.map((row) => row.result.tokenIds.at(-1)!),
        [rows.length, 1],
        'int32',
      ),
      attentionMask: mask,
      positionIds: tf.tensor2d(
        rows.map((row) => row.nextPosition),
        [rows.length, 1],
        'int32',
      ),
      training: false,
      past,
      useCache: true,
    });
    return {
      logits: linear(tf.reshape(hidden, [rows.length, -1]), headWeightT) as tf.Tensor2D,
      cache: present!,
      mask,
    };
  });
  disposeState(previous);
  return next;
}

function disposeState(state: DecodeState): void {
  state.logits.dispose();
  state.mask.dispose();
  for (const layer of state.cache) {
    layer.key.dispose();
    layer.value.dispose();
  }
}
