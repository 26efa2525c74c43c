import { type CausalLMInput, logprobsFromLogits, type Seq2SeqLMInput, tf } from '@trl/core';
import type { Sample } from './samples';

/**
 * Anything with a forward pass PPO can score: the policy (with value head) or the reference model,
 * decoder-only (it takes a `CausalLMInput`) or encoder-decoder (a `Seq2SeqLMInput`, when the layout
 * has an encoder part).
 */
export interface ForwardModel {
  /** Differentiable forward pass returning at least the logits. */
  forward(input: CausalLMInput | Seq2SeqLMInput): { logits: tf.Tensor3D; values?: tf.Tensor2D };
}

/**
 * Where each sample's response sits in a padded batch. The batch is `query + response` per row,
 * right-padded to the longest row. Log-prob column `t` scores token `t + 1` (the shift by one), so
 * response token `k` of row `j` is scored at column `len(query_j) - 1 + k`. Only the window of columns
 * `[start, start + width)` that holds some response is computed further.
 */
export interface BatchLayout {
  /** Token ids `[rows][length]`, padded with the pad id. */
  inputIds: number[][];
  /** 1 on real tokens, 0 on padding. */
  attentionMask: number[][];
  /** Padded length of the batch. */
  length: number;
  /** First shifted column of the window (the smallest `len(query) - 1`). */
  start: number;
  /** Number of window columns (up to the end of the longest-reaching response). */
  width: number;
  /** Column of each row's first response token inside the window. */
  offsets: number[];
  /**
   * An encoder-decoder's encoder input: the queries, right-padded. Then `inputIds` are the decoder's
   * rows (the decoder start token followed by the response) and the window covers the responses.
   */
  encoder?: { inputIds: number[][]; attentionMask: number[][]; length: number };
}

/** Right-pads `rows` with `padTokenId` to their longest length; returns the ids, the mask and the length. */
function padRows(
  rows: readonly number[][],
  padTokenId: number,
): { inputIds: number[][]; attentionMask: number[][]; length: number } {
  const length = Math.max(...rows.map((row) => row.length));
  return {
    inputIds: rows.map((row) => [...row, ...new Array<number>(length - row.length).fill(padTokenId)]),
    attentionMask: rows.map((row) => [
      ...new Array<number>(row.length).fill(1),
      ...new Array<number>(length - row.length).fill(0),
    ]),
    length,
  };
}

/**
 * Lays out samples as one right-padded batch (TRL's padding plus the shift-by-one bookkeeping). With
 * `decoderStartTokenId` (an encoder-decoder, TRL's `is_encoder_decoder`), queries go to the encoder
 * and each decoder row is the start token followed by the response, so window column `k` scores
 * response token `k` for every row.
 */
export function layoutBatch(
  samples: readonly Sample[],
  padTokenId: number,
  decoderStartTokenId?: number,
): BatchLayout {
  if (decoderStartTokenId !== undefined) {
    const decoder = padRows(
      samples.map((sample) => [decoderStartTokenId, ...sample.response]),
      padTokenId,
    );
    return {
      ...decoder,
      start: 0,
      width: decoder.length - 1,
      offsets: samples.map(() => 0),
      encoder: padRows(
        samples.map((sample) => [...sample.query]),
        padTokenId,
      ),
    };
  }
  const rows = samples.map((sample) => [...sample.query, ...sample.response]);
  const starts = samples.map((sample) => sample.query.length - 1);
  const start = Math.min(...starts);
  const end = Math.max(...samples.map((sample, index) => (starts[index] as number) + sample.response.length));
  return {
    ...padRows(rows, padTokenId),
    start,
    width: end - start,
    offsets: starts.map((rowStart) => rowStart - start),
  };
}

/**
 * Spreads per-sample response values (one per response token) into a `[rows, width]` window, zero
 * elsewhere. Response masks go through here too, so a mask lines up with its own row's response
 * whatever the padding (the TRL #1717 fix: TRL indexed the mask with the padded batch's offsets).
 */
export function toWindow(
  layout: BatchLayout,
  perSample: readonly ArrayLike<number>[],
): { values: Float32Array; shape: [number, number] } {
  const rows = perSample.length;
  const values = new Float32Array(rows * layout.width);
  perSample.forEach((row, index) => {
    values.set(Array.from(row), index * layout.width + (layout.offsets[index] as number));
  });
  return { values, shape: [rows, layout.width] };
}

/** Reads row `index`'s response part (`length` entries) back out of a `[rows, width]` window. */
export function fromWindow(
  layout: BatchLayout,
  window: Float32Array | Int32Array,
  index: number,
  length: number,
): Float32Array {
  const begin = index * layout.width + (layout.offsets[index] as number);
  return Float32Array.from(window.subarray(begin, begin + length));
}

/**
 * The next-token labels of the window columns, int32 `[rows, width]`. Build them outside
 * `tf.variableGrads`: core's `logprobsFromLogits` gradient reads the labels in the backward pass, after
 * the forward scope has disposed its own tensors.
 */
export function windowLabels(layout: BatchLayout): tf.Tensor2D {
  const { start, width } = layout;
  return tf.tensor2d(
    layout.inputIds.map((row) => row.slice(start + 1, start + 1 + width)),
    [layout.inputIds.length, width],
    'int32',
  );
}

/** What one windowed forward pass yields; tensors follow tfjs ownership (tidy or dispose them). */
export interface WindowedForward {
  /** Logits of the window columns `[rows, width, vocab]`. */
  logits: tf.Tensor3D;
  /** Log-prob of each next token `[rows, width]`. */
  logprobs: tf.Tensor2D;
  /** Value-head estimates `[rows, width]`, when the model has a value head. */
  values?: tf.Tensor2D;
}

/**
 * One forward pass over a laid-out batch (TRL `batched_forward_pass` for one minibatch), cut to the
 * response window: `logprobs[:, t] = log p(token[t + 1] | tokens[..t])`, `values[:, t]` the value at
 * token `t` (decoder tokens of an encoder-decoder, which also reads the encoder's queries). Always in inference mode, as TRL (its forward pass calls `model.eval()` even when training).
 * Differentiable; call inside `tf.tidy` or `tf.variableGrads`.
 */
export function forwardWindow(
  model: ForwardModel,
  layout: BatchLayout,
  labels: tf.Tensor2D = windowLabels(layout),
): WindowedForward {
  const rows = layout.inputIds.length;
  const { start, width, length } = layout;
  const inputIds = tf.tensor2d(layout.inputIds, [rows, length], 'int32');
  const attentionMask = tf.tensor2d(layout.attentionMask, [rows, length], 'int32');
  const { encoder } = layout;
  const output = encoder
    ? model.forward({
        inputIds: tf.tensor2d(encoder.inputIds, [rows, encoder.length], 'int32'),
        attentionMask: tf.tensor2d(encoder.attentionMask, [rows, encoder.length], 'int32'),
        decoderInputIds: inputIds,
        decoderAttentionMask: attentionMask,
        training: false,
      })
    : model.forward({ inputIds, attentionMask, training: false });
  const vocab = output.logits.shape[2];
  const logits = tf.slice(output.logits, [0, start, 0], [rows, width, vocab]) as tf.Tensor3D;
  const logprobs = logprobsFromLogits(logits, labels);
  const values = output.values
    ? (tf.slice(output.values, [0, start], [rows, width]) as tf.Tensor2D)
    : undefined;
  return values ? { logits, logprobs, values } : { logits, logprobs };
}
