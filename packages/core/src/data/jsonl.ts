import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Dataset } from './dataset';
import { badRecord, checkLoadOptions, type LoadOptions, type SkippedRecord } from './load-options';

/** A row of a JSON Lines file: any JSON object. */
export type JsonRow = Record<string, unknown>;

/** Parses one JSONL line; returns the row or the reason it is malformed. */
function parseLine(text: string): { row: JsonRow } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { reason: `invalid JSON (${(error as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      reason: `expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    };
  }
  return { row: value as JsonRow };
}

/** Splits file text into lines, dropping a trailing carriage return (CRLF files). */
function lines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * Loads a JSON Lines file (one JSON object per line; blank lines ignored) into a {@link Dataset}.
 * Malformed lines throw with `path:line` or, with `onBadRecord: 'skip'`, are dropped and reported.
 */
export async function loadJsonl(path: string, options: LoadOptions = {}): Promise<Dataset<JsonRow>> {
  checkLoadOptions('loadJsonl', options);
  const text = await readFile(path, 'utf8');
  const rows: JsonRow[] = [];
  const skipped: SkippedRecord[] = [];
  for (const [index, line] of lines(text).entries()) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if ('row' in parsed) rows.push(parsed.row);
    else badRecord(path, { line: index + 1, reason: parsed.reason }, options, skipped);
  }
  return new Dataset(rows);
}

/**
 * Streams a JSON Lines file row by row without reading it whole (for files larger than memory).
 * Same error handling as {@link loadJsonl}; the file is closed when the loop ends or breaks.
 */
export async function* streamJsonl(path: string, options: LoadOptions = {}): AsyncGenerator<JsonRow> {
  checkLoadOptions('streamJsonl', options);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const skipped: SkippedRecord[] = [];
  let lineNumber = 0;
  try {
    for await (const line of reader) {
      lineNumber++;
      if (line.trim() === '') continue;
      const parsed = parseLine(line);
      if ('row' in parsed) yield parsed.row;
      else badRecord(path, { line: lineNumber, reason: parsed.reason }, options, skipped);
    }
  } finally {
    reader.close();
    stream.destroy();
  }
}
