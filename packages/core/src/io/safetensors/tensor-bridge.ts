import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import type { SafetensorDtype, SafetensorEntry } from './types';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A tfjs tensor holding an entry's values: floats become float32, integers int32 (64-bit values must
 * fit in int32, e.g. token ids), BOOL becomes bool. `name` only labels errors. The caller disposes it.
 */
export function safetensorToTensor(entry: SafetensorEntry, name = '<tensor>'): tf.Tensor {
  const { dtype, shape, values } = entry;
  switch (dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return tf.tensor(values, shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(values), shape, 'float32');
    case 'BOOL':
      return tf.tensor(values, shape, 'bool');
    case 'I32':
      return tf.tensor(values, shape, 'int32');
    case 'I64':
    case 'U64': {
      const narrowed = new Int32Array(values.length);
      for (let index = 0; index < values.length; index++) {
        const value = values[index] as bigint;
        if (value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX)) {
          throw new TrlError(
            'invalid-argument',
            `safetensorToTensor: "${name}" holds ${value} at flat index ${index}, outside int32 (tfjs has no int64).`,
          );
        }
        narrowed[index] = Number(value);
      }
      return tf.tensor(narrowed, shape, 'int32');
    }
    case 'U32':
      for (let index = 0; index < values.length; index++) {
        if ((values[index] as number) > INT32_MAX) {
          throw new TrlError(
            'invalid-argument',
            `safetensorToTensor: "${name}" holds ${values[index]} at flat index ${index}, outside int32.`,
          );
        }
      }
      return tf.tensor(Int32Array.from(values), shape, 'int32');
    default:
      return tf.tensor(Int32Array.from(values), shape, 'int32');
  }
}

/** Dtypes {@link tensorToSafetensor} can store, by tfjs dtype. */
const ALLOWED: Readonly<Record<string, readonly SafetensorDtype[]>> = {
  float32: ['F32', 'F16', 'BF16'],
  int32: ['I32', 'I64'],
  bool: ['BOOL'],
};

/**
 * Reads a tensor (a data sync) into an entry ready for `serializeSafetensors`. float32 may be stored as
 * F32 (default), F16 or BF16; int32 as I32 (default) or I64 (PyTorch's usual integer type); bool as BOOL.
 */
export function tensorToSafetensor(tensor: tf.Tensor, dtype?: SafetensorDtype): SafetensorEntry {
  if (!(tensor instanceof tf.Tensor) || tensor.isDisposed) {
    throw new TrlError('invalid-argument', 'tensorToSafetensor: `tensor` must be a live tf.Tensor.');
  }
  const allowed = ALLOWED[tensor.dtype];
  if (!allowed)
    throw new TrlError(
      'invalid-argument',
      `tensorToSafetensor: tensors of dtype ${tensor.dtype} cannot be stored.`,
    );
  const target = dtype ?? (allowed[0] as SafetensorDtype);
  if (!allowed.includes(target)) {
    throw new TrlError(
      'invalid-argument',
      `tensorToSafetensor: \`dtype\` ${target} cannot hold a ${tensor.dtype} tensor; use ${allowed.join(', ')}.`,
    );
  }
  const shape = [...tensor.shape];
  const data = tensor.dataSync();
  switch (target) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return { dtype: target, shape, values: Float32Array.from(data as Float32Array) };
    case 'I64':
      return {
        dtype: target,
        shape,
        values: BigInt64Array.from(data as Int32Array, (value) => BigInt(value)),
      };
    case 'BOOL':
      return { dtype: target, shape, values: Uint8Array.from(data as Uint8Array) };
    default:
      return { dtype: 'I32', shape, values: Int32Array.from(data as Int32Array) };
  }
}
