import { linear, type Rng, type SeedSource, TrlError, tf } from '@trl/core';
import type { CheckpointTensor } from '../checkpoint/load';

/** Checkpoint keys of the head, as TRL saves them beside the base weights. */
export const V_HEAD_KEYS = { weight: 'v_head.summary.weight', bias: 'v_head.summary.bias' } as const;

/** The head's two variables: weight `[1, hidden]` (torch Linear layout) and bias `[1]`. */
export interface ValueHeadVariables {
  /** `[1, hidden]`. */
  readonly weight: tf.Variable;
  /** `[1]`. */
  readonly bias: tf.Variable;
}

/** How a new head is drawn when the checkpoint has none (TRL's `v_head_init_strategy`). */
export interface ValueHeadInit {
  /** `default` (torch Linear init) or `normal`. */
  readonly vHeadInitStrategy: 'default' | 'normal';
  /** Standard deviation of the `normal` strategy. */
  readonly vHeadInitializerRange: number;
}

/**
 * The head's variables: the checkpoint's `v_head.summary.*` when it has them, otherwise a new head
 * drawn as TRL draws it (torch's Linear init by default, or normal(0, range) with a zero bias).
 */
export function createValueHeadVariables(
  hidden: number,
  init: ValueHeadInit,
  rng: Rng,
  checkpoint?: ReadonlyMap<string, CheckpointTensor>,
): ValueHeadVariables {
  const saved = headFromCheckpoint(checkpoint, hidden);
  return tf.tidy(() => {
    if (saved)
      return {
        weight: tf.variable(tf.tensor2d(saved.weight, [1, hidden])),
        bias: tf.variable(tf.tensor1d(saved.bias)),
      };
    if (init.vHeadInitStrategy === 'normal')
      return {
        weight: tf.variable(
          tf.randomNormal([1, hidden], 0, init.vHeadInitializerRange, 'float32', rng.nextSeed()),
        ),
        bias: tf.variable(tf.zeros([1])),
      };
    const bound = 1 / Math.sqrt(hidden);
    return {
      weight: tf.variable(tf.randomUniform([1, hidden], -bound, bound, 'float32', rng.nextSeed())),
      bias: tf.variable(tf.randomUniform([1], -bound, bound, 'float32', rng.nextSeed())),
    };
  });
}

/** Dropout on the hidden state before the head, in training mode only. */
export interface HeadDropout {
  /** Dropout applies only in training mode. */
  readonly training: boolean;
  /** TRL's `summary_dropout_prob`. */
  readonly rate: number;
  /** Draws the mask's seed. */
  readonly rng: SeedSource;
}

/** `values = Linear(hidden, 1)(dropout(h))` at every position: `[batch, seq, hidden]` → `[batch, seq]`. */
export function valuesFromHidden(
  hidden: tf.Tensor3D,
  head: ValueHeadVariables,
  dropout: HeadDropout,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, seq, width] = hidden.shape;
    let flat = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D;
    if (dropout.training && dropout.rate > 0)
      flat = tf.dropout(flat, dropout.rate, undefined, dropout.rng.nextSeed()) as tf.Tensor2D;
    const values = linear(flat, tf.transpose(head.weight) as tf.Tensor2D, head.bias as tf.Tensor1D);
    return tf.reshape(values, [batch, seq]) as tf.Tensor2D;
  });
}

function headFromCheckpoint(
  checkpoint: ReadonlyMap<string, CheckpointTensor> | undefined,
  hidden: number,
): { weight: Float32Array; bias: Float32Array } | undefined {
  const weight = checkpoint?.get(V_HEAD_KEYS.weight);
  const bias = checkpoint?.get(V_HEAD_KEYS.bias);
  if (!weight && !bias) return undefined;
  if (!weight || !bias)
    throw new TrlError(
      'invalid-checkpoint',
      'The checkpoint has only one of v_head.summary.weight and v_head.summary.bias.',
    );
  if (weight.values.length !== hidden || bias.values.length !== 1) {
    throw new TrlError(
      'invalid-checkpoint',
      `v_head.summary.weight has shape [${weight.shape.join(', ')}] and bias [${bias.shape.join(', ')}]; ` +
        `expected [1, ${hidden}] and [1] for this model's hidden size.`,
    );
  }
  return { weight: weight.values, bias: bias.values };
}
