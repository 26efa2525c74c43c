import { TrlError } from '@trl/spec';
import { writeFileAtomic } from '../atomic';
import { float32ArrayToBfloat16Bits, float32ArrayToFloat16Bits } from '../half-float';
import {
  HOST_IS_LITTLE_ENDIAN,
  isSafetensorDtype,
  SAFETENSOR_ITEM_SIZE,
  SAFETENSOR_VALUE_ARRAY,
  type SafetensorEntry,
} from './types';

/**
 * Encodes tensors as a safetensors file: an 8-byte little-endian header length, a JSON header padded
 * with spaces to a multiple of 8 bytes (so the data is 8-byte aligned, as the reference writer does),
 * then the raw little-endian data in sorted key order. F16 and BF16 are rounded from the float32 values
 * (nearest, ties to even). Pass `metadata` such as `{ format: 'pt' }` for Hugging Face loaders.
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, SafetensorEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const fn = 'serializeSafetensors';
  if (tensors === null || typeof tensors !== 'object') {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`tensors\` must be an object mapping names to { dtype, shape, values }.`,
    );
  }
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error(`${fn}: this writer needs a little-endian host.`);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [name, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new TrlError(
          'invalid-argument',
          `${fn}: \`metadata.${name}\` must be a string (safetensors metadata is string to string).`,
        );
      }
    }
    header.__metadata__ = { ...metadata };
  }
  const names = Object.keys(tensors).sort();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__' || name.length === 0) {
      throw new TrlError(
        'invalid-argument',
        `${fn}: tensor name ${JSON.stringify(name)} is reserved or empty; rename it.`,
      );
    }
    const data = encodeEntry(fn, name, tensors[name] as SafetensorEntry);
    header[name] = {
      dtype: (tensors[name] as SafetensorEntry).dtype,
      shape: [...(tensors[name] as SafetensorEntry).shape],
      data_offsets: [offset, offset + data.byteLength],
    };
    chunks.push(data);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const file = new Uint8Array(8 + headerLength + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerLength), true);
  file.set(json, 8);
  file.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let cursor = 8 + headerLength;
  for (const chunk of chunks) {
    file.set(chunk, cursor);
    cursor += chunk.byteLength;
  }
  return file;
}

/** Serializes `tensors` and writes them to `path` atomically (temp file, fsync, rename). */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, SafetensorEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Checks one entry and returns its stored bytes (little-endian). */
function encodeEntry(fn: string, name: string, entry: SafetensorEntry): Uint8Array {
  const where = `${fn}: tensor "${name}"`;
  if (entry === null || typeof entry !== 'object')
    throw new TrlError('invalid-argument', `${where} must be { dtype, shape, values }.`);
  const { dtype, shape, values } = entry;
  if (!isSafetensorDtype(dtype)) {
    throw new TrlError(
      'invalid-argument',
      `${where}: unknown dtype ${JSON.stringify(dtype)}; use one of ${Object.keys(SAFETENSOR_ITEM_SIZE).join(', ')}.`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new TrlError(
      'invalid-argument',
      `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}.`,
    );
  }
  const expected = SAFETENSOR_VALUE_ARRAY[dtype];
  if (!(values instanceof expected)) {
    throw new TrlError(
      'invalid-argument',
      `${where}: dtype ${dtype} needs values as a ${expected.name}, got ${describe(values)}.`,
    );
  }
  const elements = shape.reduce((product, size) => product * size, 1);
  if (values.length !== elements) {
    throw new TrlError(
      'invalid-argument',
      `${where}: shape [${shape.join(', ')}] holds ${elements} values but \`values\` has ${values.length}.`,
    );
  }
  if (dtype === 'F16') return asBytes(float32ArrayToFloat16Bits(values as Float32Array));
  if (dtype === 'BF16') return asBytes(float32ArrayToBfloat16Bits(values as Float32Array));
  const bytes = asBytes(values);
  if (bytes.byteLength !== elements * SAFETENSOR_ITEM_SIZE[dtype]) {
    throw new Error(
      `${where}: encoded ${bytes.byteLength} bytes, expected ${elements * SAFETENSOR_ITEM_SIZE[dtype]}.`,
    );
  }
  return bytes;
}

function asBytes(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
