import type * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';

/** Formats a shape the way error messages print it, e.g. `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws `Error('<op>: <message>')` unless `condition` holds. The message is built lazily so
 * validation costs nothing on the happy path.
 */
export function check(condition: boolean, op: string, message: () => string): asserts condition {
  if (!condition) throw new TrlError('invalid-argument', `${op}: ${message()}`);
}

/** Requires `value` to be a tfjs Tensor (catches plain arrays and undefined early). */
export function checkTensor(value: unknown, op: string, name: string): asserts value is tf.Tensor {
  const isTensor =
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dtype?: unknown }).dtype === 'string';
  check(isTensor, op, () => `${name} must be a tf.Tensor, got ${value === null ? 'null' : typeof value}`);
}

/** Requires a tensor of exactly `rank` dimensions; `layout` names them, e.g. `[in, out]`. */
export function checkRank(tensor: tf.Tensor, rank: number, op: string, name: string, layout: string): void {
  check(
    tensor.rank === rank,
    op,
    () => `${name} must be ${rank}-D ${layout}, got shape ${formatShape(tensor.shape)}`,
  );
}

/** Requires the given dtype, e.g. float32 for activations or int32 for token ids. */
export function checkDtype(tensor: tf.Tensor, dtype: tf.DataType, op: string, name: string): void {
  check(
    tensor.dtype === dtype,
    op,
    () => `${name} must have dtype ${dtype}, got ${tensor.dtype} (convert with tf.cast(${name}, '${dtype}'))`,
  );
}
