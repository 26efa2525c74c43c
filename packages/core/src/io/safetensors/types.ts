/** The typed array each safetensors dtype is returned as (and must be given as when writing). */
export interface SafetensorValueTypes {
  /** float64. */
  F64: Float64Array;
  /** float32. */
  F32: Float32Array;
  /** IEEE half precision, decoded to float32 on read and rounded from float32 on write. */
  F16: Float32Array;
  /** bfloat16, decoded to float32 on read and rounded from float32 on write. */
  BF16: Float32Array;
  /** int64 (PyTorch's `long`, e.g. token ids and position buffers). */
  I64: BigInt64Array;
  /** uint64. */
  U64: BigUint64Array;
  /** int32. */
  I32: Int32Array;
  /** uint32. */
  U32: Uint32Array;
  /** int16. */
  I16: Int16Array;
  /** uint16. */
  U16: Uint16Array;
  /** int8. */
  I8: Int8Array;
  /** uint8. */
  U8: Uint8Array;
  /** bool, one byte per value (0 or 1). */
  BOOL: Uint8Array;
}

/** A dtype name as written in a safetensors header. */
export type SafetensorDtype = keyof SafetensorValueTypes;

/** One tensor of a given dtype. */
export interface SafetensorEntryOf<D extends SafetensorDtype> {
  /** The dtype stored in the file (F16/BF16 stay F16/BF16 even though `values` is float32). */
  dtype: D;
  /** Dimensions, outermost first; `[]` is a scalar. */
  shape: number[];
  /** Row-major values, `prod(shape)` of them. */
  values: SafetensorValueTypes[D];
}

/** One tensor; narrowing on `dtype` narrows `values` to its typed array. */
export type SafetensorEntry = { [D in SafetensorDtype]: SafetensorEntryOf<D> }[SafetensorDtype];

/** The decoded contents of a safetensors file. */
export interface SafetensorsFile {
  /** The header's `__metadata__` string map (e.g. `{ format: 'pt' }`); empty when absent. */
  metadata: Record<string, string>;
  /** Tensors by checkpoint key, in header order. */
  tensors: Map<string, SafetensorEntry>;
}

/** Bytes per stored element, for every dtype this module reads and writes. */
export const SAFETENSOR_ITEM_SIZE: Readonly<Record<SafetensorDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** A typed-array constructor, as used here: a view over a whole buffer. */
export type TypedArrayConstructor = new (buffer: ArrayBuffer) => ArrayBufferView;

/**
 * The typed array each dtype's values are given and returned in. For every dtype but F16 and BF16
 * (float32 in JavaScript, 16-bit in the file) it is also the view the file's bytes are read through.
 */
export const SAFETENSOR_VALUE_ARRAY: Readonly<Record<SafetensorDtype, TypedArrayConstructor>> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Float32Array,
  BF16: Float32Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
  I32: Int32Array,
  U32: Uint32Array,
  I16: Int16Array,
  U16: Uint16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

/** Dtypes the format defines that this module does not decode (there is no JS type for them). */
export const UNSUPPORTED_SAFETENSOR_DTYPES: readonly string[] = [
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
];

/** True when `dtype` is one this module reads and writes. */
export function isSafetensorDtype(dtype: unknown): dtype is SafetensorDtype {
  return typeof dtype === 'string' && Object.hasOwn(SAFETENSOR_ITEM_SIZE, dtype);
}

/** Typed arrays use the host's byte order and safetensors is little-endian, so raw copies need an LE host. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
