import { extname } from 'node:path';
import { TrlError } from '@trl/spec';
import { type CsvOptions, loadCsv } from './csv';
import type { Dataset } from './dataset';
import { loadJson } from './json';
import { type JsonRow, loadJsonl } from './jsonl';
import { loadParquet } from './parquet';

/** File formats {@link loadDataset} reads. */
export const DATASET_FORMATS = ['jsonl', 'json', 'csv', 'parquet'] as const;

/** One of {@link DATASET_FORMATS}. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends CsvOptions {
  /** Format; default from the extension (`.jsonl`/`.ndjson`, `.json`, `.csv`/`.tsv`, `.parquet`). */
  format?: DatasetFormat;
}

const BY_EXTENSION: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
};

/** Loads a dataset file from disk, choosing the reader from `format` or the file extension. */
export async function loadDataset(path: string, options: LoadDatasetOptions = {}): Promise<Dataset<JsonRow>> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TrlError(
      'invalid-argument',
      `loadDataset: \`path\` must be a non-empty file path, got ${String(path)}.`,
    );
  }
  const extension = extname(path).toLowerCase();
  const format = options.format ?? BY_EXTENSION[extension];
  if (format === undefined || !DATASET_FORMATS.includes(format)) {
    throw new TrlError(
      'invalid-argument',
      `loadDataset: cannot tell the format of ${path}; pass \`format\` as one of ${DATASET_FORMATS.join(', ')}.`,
    );
  }
  if (format === 'jsonl') return loadJsonl(path, options);
  if (format === 'json') return loadJson(path);
  if (format === 'parquet') return loadParquet(path);
  return loadCsv(path, { delimiter: extension === '.tsv' ? '\t' : undefined, ...options });
}
