import { readFile } from 'node:fs/promises';
import { TrlError } from '@trl/spec';
import { Dataset } from './dataset';
import type { JsonRow } from './jsonl';

/**
 * Loads a JSON file holding an array of objects, or an object of equal-length columns
 * (`{"text": ["a", "b"]}`, as `datasets` writes with `orient="columns"`), into a {@link Dataset}.
 */
export async function loadJson(path: string): Promise<Dataset<JsonRow>> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrlError('invalid-dataset', `${path}: invalid JSON (${(error as Error).message}).`);
  }
  if (Array.isArray(value)) {
    value.forEach((row, index) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new TrlError(
          'invalid-dataset',
          `${path}: element ${index} is not an object; expected an array of row objects.`,
        );
      }
    });
    return new Dataset(value as JsonRow[]);
  }
  if (value !== null && typeof value === 'object') {
    const columns = Object.entries(value as Record<string, unknown>);
    if (columns.length > 0 && columns.every(([, column]) => Array.isArray(column))) {
      const [firstName, firstColumn] = columns[0] as [string, unknown[]];
      const length = firstColumn.length;
      const uneven = columns.find(([, column]) => (column as unknown[]).length !== length);
      if (uneven) {
        throw new TrlError(
          'invalid-dataset',
          `${path}: column "${uneven[0]}" has ${(uneven[1] as unknown[]).length} values but "${firstName}" has ${length}.`,
        );
      }
      const rows = Array.from({ length }, (_, index) =>
        Object.fromEntries(columns.map(([name, column]) => [name, (column as unknown[])[index]])),
      );
      return new Dataset(rows);
    }
  }
  throw new TrlError(
    'invalid-dataset',
    `${path}: expected an array of objects or an object of column arrays.`,
  );
}
