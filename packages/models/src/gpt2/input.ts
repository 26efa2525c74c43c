import { type CausalLMInput, TrlError, tf } from '@trl/core';
import type { Gpt2Config } from './config';

/** Validated int32 tensors for one forward pass. */
export interface PreparedInput {
  /** Token ids `[batch, seq]`. */
  readonly inputIds: tf.Tensor2D;
  /** Attention mask `[batch, seq]` (all ones when none was given). */
  readonly attentionMask: tf.Tensor2D;
  /** Position ids `[batch, seq]`. */
  readonly positionIds: tf.Tensor2D;
}

/** The id ranges a model accepts, with the config keys that set them (named in errors). */
export interface InputLimits {
  /** Number of token ids. */
  readonly vocabSize: number;
  /** Number of positions. */
  readonly maxPositions: number;
  /** The config key of `maxPositions`, e.g. `n_positions`. */
  readonly maxPositionsKey: string;
}

/** GPT-2's limits: `vocab_size` and `n_positions`. */
export function gpt2InputLimits(config: Gpt2Config): InputLimits {
  return { vocabSize: config.vocab_size, maxPositions: config.n_positions, maxPositionsKey: 'n_positions' };
}

/**
 * Checks shapes, dtypes and id ranges (reading the small int32 inputs back, which is cheap on the
 * CPU backends) and fills in the defaults: an all-ones mask and transformers' position ids,
 * cumsum(mask) - 1 clipped at 0, so a left-padded row's first real token sits at position 0.
 * Call inside `tf.tidy`: tensors it creates are not disposed here.
 */
export function prepareInput(input: CausalLMInput, limits: InputLimits): PreparedInput {
  const { inputIds } = input;
  if (!(inputIds instanceof tf.Tensor) || inputIds.rank !== 2) {
    throw new TrlError('invalid-argument', 'inputIds must be an int32 tensor of shape [batch, seq].');
  }
  const [batch, seq] = inputIds.shape;
  if (seq === 0 || batch === 0)
    throw new TrlError('invalid-argument', `inputIds is empty (shape [${batch}, ${seq}]).`);
  checkInt32('inputIds', inputIds);
  checkIdRange('inputIds', inputIds.dataSync(), limits.vocabSize, 'vocab_size');

  const attentionMask = input.attentionMask ?? tf.ones([batch, seq], 'int32');
  checkSameShape('attentionMask', attentionMask, inputIds);
  checkInt32('attentionMask', attentionMask);

  let positionIds = input.positionIds;
  if (positionIds) {
    checkSameShape('positionIds', positionIds, inputIds);
    checkInt32('positionIds', positionIds);
    checkIdRange('positionIds', positionIds.dataSync(), limits.maxPositions, limits.maxPositionsKey);
  } else {
    const positions = positionsFromMask(attentionMask.dataSync(), batch, seq);
    checkIdRange('positionIds (from attentionMask)', positions, limits.maxPositions, limits.maxPositionsKey);
    positionIds = tf.tensor2d(positions, [batch, seq], 'int32');
  }
  return { inputIds, attentionMask, positionIds };
}

/** transformers' default positions: cumsum(mask) - 1 per row, clipped at 0. */
export function positionsFromMask(mask: ArrayLike<number>, batch: number, seq: number): Int32Array {
  const positions = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    let seen = 0;
    for (let t = 0; t < seq; t++) {
      seen += mask[b * seq + t]!;
      positions[b * seq + t] = Math.max(seen - 1, 0);
    }
  }
  return positions;
}

/** Throws when any id is outside [0, limit), naming the offending value. */
export function checkIdRange(name: string, ids: ArrayLike<number>, limit: number, limitName: string): void {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id > max) max = id;
    if (id < min) min = id;
  }
  if (max >= limit) {
    throw new TrlError(
      'invalid-argument',
      `${name} contains ${max}, but the model accepts 0..${limit - 1} (${limitName} ${limit}). ` +
        (limitName === 'vocab_size'
          ? 'Was the text encoded with a different tokenizer?'
          : 'The sequence is longer than the model context; truncate it.'),
    );
  }
  if (min < 0) throw new TrlError('invalid-argument', `${name} contains ${min}; ids must be ≥ 0.`);
}

function checkInt32(name: string, t: tf.Tensor): void {
  if (t.dtype !== 'int32')
    throw new TrlError(
      'invalid-argument',
      `${name} must be int32, got ${t.dtype}; build it with tf.tensor2d(…, 'int32').`,
    );
}

function checkSameShape(name: string, t: tf.Tensor, ids: tf.Tensor): void {
  if (t.rank !== 2 || t.shape[0] !== ids.shape[0] || t.shape[1] !== ids.shape[1]) {
    throw new TrlError(
      'invalid-argument',
      `${name} has shape [${t.shape.join(', ')}] but inputIds has [${ids.shape.join(', ')}].`,
    );
  }
}
