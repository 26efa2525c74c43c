import { assertFiniteTensor, type SafetensorEntry, TrlError } from '@trl/core';

/** The weight dtypes a checkpoint may store; all decode to float32. */
const FLOAT_DTYPES: ReadonlySet<string> = new Set(['F32', 'F16', 'BF16', 'F64']);

/**
 * A weight's values as float32, refusing what would load silently but wrongly: an integer or bool
 * dtype where the model expects floats (its bits would be read as different numbers), and NaN or
 * infinite values.
 */
export function floatValues(tensor: SafetensorEntry, rawKey: string, file: string): Float32Array {
  if (!FLOAT_DTYPES.has(tensor.dtype)) {
    throw new TrlError(
      'invalid-checkpoint',
      `${file}: tensor "${rawKey}" is stored as ${tensor.dtype}, but the model expects a floating-point weight (F32, F16 or BF16). ` +
        'The file is corrupt or was not written as a model checkpoint; re-export it with save_pretrained(dir, safe_serialization=True).',
    );
  }
  const values =
    tensor.values instanceof Float32Array ? tensor.values : Float32Array.from(tensor.values as Float64Array);
  assertFiniteTensor(
    values,
    `${file}: tensor "${rawKey}"`,
    'the checkpoint is corrupt or was saved from a diverged run; load an earlier checkpoint or re-download it.',
  );
  return values;
}
