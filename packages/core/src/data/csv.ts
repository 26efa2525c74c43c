import { readFile } from 'node:fs/promises';
import { TrlError } from '@trl/spec';
import { Dataset } from './dataset';
import type { JsonRow } from './jsonl';
import { badRecord, checkLoadOptions, type LoadOptions, type SkippedRecord } from './load-options';

/** Options of {@link loadCsv}. */
export interface CsvOptions extends LoadOptions {
  /** Field separator. Default `,`. */
  delimiter?: string;
  /** Turn cells that look like numbers into numbers (as pandas/`datasets` infer). Default true. */
  inferNumbers?: boolean;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One parsed record with the line it started on. */
interface CsvRecord {
  line: number;
  cells: string[];
}

/** RFC 4180 records: quoted cells may hold separators, doubled quotes and newlines. */
function parseRecords(text: string, delimiter: string): CsvRecord[] | { line: number; reason: string } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell === '') quoted = true;
    else if (char === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += char;
  }
  if (quoted) return { line: start, reason: 'a quoted cell is never closed' };
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return records;
}

/**
 * Loads a CSV file with a header row into a {@link Dataset} of objects keyed by the header. A record
 * with the wrong number of cells throws with its line number, or is skipped with `onBadRecord: 'skip'`.
 */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<Dataset<JsonRow>> {
  checkLoadOptions('loadCsv', options);
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw new TrlError(
      'invalid-argument',
      `loadCsv: \`delimiter\` must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}.`,
    );
  }
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const parsed = parseRecords(text, delimiter);
  if (!Array.isArray(parsed))
    throw new TrlError('invalid-dataset', `${path}:${parsed.line}: ${parsed.reason}.`);
  const [header, ...body] = parsed;
  if (!header) return new Dataset<JsonRow>([]);
  const names = header.cells;
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new TrlError('invalid-dataset', `${path}:1: the header names column "${duplicate}" twice.`);
  const infer = options.inferNumbers ?? true;
  const rows: JsonRow[] = [];
  const skipped: SkippedRecord[] = [];
  for (const record of body) {
    if (record.cells.length !== names.length) {
      badRecord(
        path,
        {
          line: record.line,
          reason: `expected ${names.length} cells (${names.join(', ')}), got ${record.cells.length}`,
        },
        options,
        skipped,
      );
      continue;
    }
    rows.push(
      Object.fromEntries(
        names.map((name, index) => {
          const cell = record.cells[index] as string;
          return [name, infer && NUMBER.test(cell) ? Number(cell) : cell];
        }),
      ),
    );
  }
  return new Dataset(rows);
}
