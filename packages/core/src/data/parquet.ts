import { readFile } from 'node:fs/promises';
import { TrlError } from '@trl/spec';
import { parquetReadObjects } from 'hyparquet';
import { Dataset } from './dataset';
import type { JsonRow } from './jsonl';

/**
 * Loads a Parquet file (as `datasets` writes them) into a {@link Dataset} with hyparquet. 64-bit
 * integer cells become numbers when they are safe integers, so rows stay JSON-friendly.
 */
export async function loadParquet(path: string): Promise<Dataset<JsonRow>> {
  const bytes = await readFile(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file });
  } catch (error) {
    const message = `${path}: not a readable Parquet file (${(error as Error).message}).`;
    // TrlError takes no ErrorOptions, so the cause is attached afterwards.
    throw Object.assign(new TrlError('invalid-dataset', message), { cause: error });
  }
  return new Dataset(
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, narrow(value)]))),
  );
}

function narrow(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }
  if (Array.isArray(value)) return value.map(narrow);
  return value;
}
