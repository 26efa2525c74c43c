import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';

/**
 * Argument checks shared by the RL math. They read only shapes and dtypes (never tensor data) unless
 * the name says otherwise, so they are free to call inside a gradient tape.
 */

/** Dtypes a mask may have: TRL uses long masks, attention masks are often int32 or bool here. */
export const MASK_DTYPES: readonly tf.DataType[] = ['float32', 'int32', 'bool'];

/** What an argument must look like. */
export interface TensorRequirement {
  /** Accepted dtypes. */
  dtypes: readonly tf.DataType[];
  /** Exact rank, when fixed. */
  rank?: number;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `value` is a tensor with an accepted dtype and rank; the message names `fn` and `name`. */
export function assertTensor(
  fn: string,
  name: string,
  value: unknown,
  requirement: TensorRequirement,
): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` must be a tf.Tensor, got ${value === null ? 'null' : typeof value}.`,
    );
  }
  if (value.isDisposed) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` was already disposed; keep it alive until this call returns.`,
    );
  }
  if (!requirement.dtypes.includes(value.dtype)) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` must have dtype ${requirement.dtypes.join(' or ')}, got ${value.dtype}; ` +
        `convert it with tf.cast(${name}, '${requirement.dtypes[0]}').`,
    );
  }
  if (requirement.rank !== undefined && value.rank !== requirement.rank) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` must have rank ${requirement.rank}, got shape ${formatShape(value.shape)}.`,
    );
  }
}

/** Throws unless `actual` has exactly the shape of `reference`. */
export function assertSameShape(
  fn: string,
  name: string,
  actual: tf.Tensor,
  referenceName: string,
  reference: tf.Tensor,
): void {
  if (!tf.util.arraysEqual(actual.shape, reference.shape)) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` has shape ${formatShape(actual.shape)} but \`${referenceName}\` has shape ` +
        `${formatShape(reference.shape)}; they must match.`,
    );
  }
}

/** Throws unless `actual.shape` equals `expected`. */
export function assertShape(fn: string, name: string, actual: tf.Tensor, expected: readonly number[]): void {
  if (!tf.util.arraysEqual(actual.shape, [...expected])) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` must have shape ${formatShape(expected)}, got ${formatShape(actual.shape)}.`,
    );
  }
}

/** Throws unless `value` is a finite number (optionally > 0 or >= 0). */
export function assertFiniteNumber(
  fn: string,
  name: string,
  value: unknown,
  sign: 'any' | 'positive' | 'nonNegative' = 'any',
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`${name}\` must be a finite number, got ${String(value)}.`,
    );
  }
  if (sign === 'positive' && !(value > 0)) {
    throw new TrlError('invalid-argument', `${fn}: \`${name}\` must be > 0, got ${value}.`);
  }
  if (sign === 'nonNegative' && !(value >= 0)) {
    throw new TrlError('invalid-argument', `${fn}: \`${name}\` must be >= 0, got ${value}.`);
  }
}

/** A mask as float32, the dtype every masked reduction multiplies with. Caller disposes (or tidies). */
export function floatMask(mask: tf.Tensor): tf.Tensor {
  return mask.dtype === 'float32' ? mask.clone() : tf.cast(mask, 'float32');
}

/**
 * Reads the mask's total (a data sync) and throws when it is not above `minimum`. A mask of all zeros
 * would otherwise turn every masked mean into NaN without a word.
 */
export function assertMaskSumAbove(
  fn: string,
  name: string,
  mask: tf.Tensor,
  minimum: number,
  why: string,
): void {
  const total = tf.tidy(() => tf.sum(tf.cast(mask, 'float32')));
  const value = total.dataSync()[0] ?? 0;
  total.dispose();
  if (!(value > minimum)) {
    throw new TrlError('invalid-argument', `${fn}: \`${name}\` sums to ${value}; ${why}`);
  }
}

/**
 * The checks every masked statistic makes, in this order: float32 `values`, a mask of an accepted
 * dtype and the same shape, whose total (a data sync) is above `minimum`.
 */
export function assertMaskedStatisticInputs(
  fn: string,
  values: tf.Tensor,
  mask: tf.Tensor,
  minimum: number,
  why: string,
): void {
  assertTensor(fn, 'values', values, { dtypes: ['float32'] });
  assertTensor(fn, 'mask', mask, { dtypes: MASK_DTYPES });
  assertSameShape(fn, 'mask', mask, 'values', values);
  assertMaskSumAbove(fn, 'mask', mask, minimum, why);
}

/** Reads `values` (a data sync) and throws at the first NaN or infinity, naming its flat index. */
export function assertAllFinite(fn: string, name: string, values: tf.Tensor): void {
  const data = values.dataSync();
  for (let index = 0; index < data.length; index++) {
    const entry = data[index] as number;
    if (!Number.isFinite(entry)) {
      throw new TrlError(
        'invalid-argument',
        `${fn}: \`${name}\` holds ${entry} at flat index ${index}; every entry must be a finite number.`,
      );
    }
  }
}
