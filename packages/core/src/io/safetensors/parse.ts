import { readFile } from 'node:fs/promises';
import { TrlError } from '@trl/spec';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../half-float';
import {
  HOST_IS_LITTLE_ENDIAN,
  isSafetensorDtype,
  SAFETENSOR_ITEM_SIZE,
  SAFETENSOR_VALUE_ARRAY,
  type SafetensorDtype,
  type SafetensorEntry,
  type SafetensorsFile,
  UNSUPPORTED_SAFETENSOR_DTYPES,
} from './types';

/** The reference implementation's cap on the JSON header, which stops a corrupt length allocating gigabytes. */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  key: string;
  dtype: SafetensorDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes a safetensors file held in memory. Every structural rule of the format is checked (header
 * length and bounds, JSON, dtype, shape, offsets in bounds, contiguous and non-overlapping, byte length =
 * elements × item size) and a violation throws an Error naming `source` and the offending key.
 * Values are copied out, so the result does not keep `bytes` alive.
 */
export function parseSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsFile {
  const fail = (detail: string, code = 'invalid-file'): never => {
    throw new TrlError(code, `safetensors ${source}: ${detail}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('`bytes` must be a Uint8Array.', 'invalid-argument');
  // The host, not the input, is at fault here.
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new Error(`safetensors ${source}: this reader needs a little-endian host.`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    fail(`header length ${declared} exceeds the file (${bytes.length - 8} bytes after the length field).`);
  }
  const headerLength = Number(declared);
  const headerText = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(8, 8 + headerLength));
  if (!headerText.startsWith('{')) fail('header does not start with "{"; not a safetensors file.');
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message}).`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    fail('header must be a JSON object.');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        fail('`__metadata__` must be an object.');
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string')
          fail(`\`__metadata__.${name}\` must be a string, got ${typeof value}.`);
        metadata[name] = value as string;
      }
      continue;
    }
    entries.push(readHeaderEntry(key, raw, dataLength, fail));
  }
  checkContiguous(entries, dataLength, fail);

  const tensors = new Map<string, SafetensorEntry>();
  for (const entry of entries) {
    // A fresh, aligned buffer per tensor (a Node Buffer's slice would alias the whole file instead).
    const copy = new Uint8Array(entry.end - entry.begin);
    copy.set(bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
    tensors.set(entry.key, decodeValues(entry.dtype, entry.shape, copy));
  }
  return { metadata, tensors };
}

/** Reads and decodes a `.safetensors` file; errors name the path. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  const buffer = await readFile(path);
  return parseSafetensors(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
}

function readHeaderEntry(
  key: string,
  raw: unknown,
  dataLength: number,
  fail: (detail: string) => never,
): HeaderEntry {
  const where = `tensor "${key}"`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail(`${where}: header entry must be an object.`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isSafetensorDtype(dtype)) {
    if (typeof dtype === 'string' && UNSUPPORTED_SAFETENSOR_DTYPES.includes(dtype)) {
      fail(`${where}: dtype ${dtype} is not supported; convert the checkpoint to F32, F16 or BF16.`);
    }
    fail(`${where}: unknown dtype ${JSON.stringify(dtype)}.`);
  }
  const knownDtype = dtype as SafetensorDtype;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    fail(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}.`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)
  ) {
    fail(
      `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}.`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin.`);
  if (end > dataLength) fail(`${where}: data_offsets end at ${end}, past the ${dataLength} data bytes.`);
  const elements = (shape as number[]).reduce((product, size) => product * size, 1);
  const expected = elements * SAFETENSOR_ITEM_SIZE[knownDtype];
  if (end - begin !== expected) {
    fail(
      `${where}: holds ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${knownDtype} ` +
        `needs ${expected}.`,
    );
  }
  return { key, dtype: knownDtype, shape: [...(shape as number[])], begin, end };
}

/** The data section must be exactly tiled by the tensors: no gaps (hidden data), no overlaps (aliasing). */
function checkContiguous(
  entries: readonly HeaderEntry[],
  dataLength: number,
  fail: (detail: string) => never,
): void {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of ordered) {
    if (entry.begin < cursor)
      fail(
        `tensor "${entry.key}": data_offsets start at ${entry.begin}, overlapping the previous tensor (ends at ${cursor}).`,
      );
    if (entry.begin > cursor)
      fail(
        `tensor "${entry.key}": data_offsets start at ${entry.begin}, leaving a gap after byte ${cursor}.`,
      );
    cursor = entry.end;
  }
  if (cursor !== dataLength) {
    fail(
      `tensors cover ${cursor} data bytes but the file holds ${dataLength}; it is truncated or has trailing bytes.`,
    );
  }
}

/** `copy` owns a fresh ArrayBuffer of exactly its bytes, so typed-array views of it start at 0. */
function decodeValues(
  dtype: SafetensorDtype,
  shape: number[],
  copy: Uint8Array<ArrayBuffer>,
): SafetensorEntry {
  const buffer = copy.buffer;
  switch (dtype) {
    case 'F16':
      return { dtype, shape, values: float16BitsToFloat32(new Uint16Array(buffer)) };
    case 'BF16':
      return { dtype, shape, values: bfloat16BitsToFloat32(new Uint16Array(buffer)) };
    case 'U8':
    case 'BOOL':
      return { dtype, shape, values: copy };
    default:
      return { dtype, shape, values: new SAFETENSOR_VALUE_ARRAY[dtype](buffer) } as SafetensorEntry;
  }
}
