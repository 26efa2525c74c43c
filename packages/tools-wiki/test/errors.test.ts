import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrlError } from '@trl/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { createRetriever, MiniSearchRetriever, readCorpusRows } from '../src/index';

const directory = mkdtempSync(join(tmpdir(), 'trl-wiki-errors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** What `run` throws or rejects with; its result when it does not, which no assertion below accepts. */
const thrown = (run: () => unknown): Promise<unknown> =>
  Promise.resolve()
    .then(run)
    .catch((error: unknown) => error);

async function readAll(path: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of readCorpusRows(path)) rows.push(row);
  return rows;
}

const missing = join(directory, 'missing.jsonl');
const broken = join(directory, 'broken.jsonl');
writeFileSync(broken, '{"id": "a", "title": "A", "text": "x"}\n{"id": 2}\n');

describe('input errors of @trl/tools-wiki are TrlErrors with a code, keeping their message', () => {
  it.each([
    {
      what: 'a missing corpus',
      run: () => readAll(missing),
      code: 'file-not-found',
      message: `corpus file not found: ${missing}`,
    },
    {
      what: 'a malformed corpus line',
      run: () => readAll(broken),
      code: 'invalid-file',
      message: `${broken}:2: field 'title': Invalid input: expected string, received undefined; each line must be {"id", "title", "text"}`,
    },
    {
      what: 'a bad option value',
      run: () => new MiniSearchRetriever({ titleBoost: 0 }),
      code: 'invalid-value',
      message: "MiniSearchRetriever option 'titleBoost' must be a positive number, got 0",
    },
    {
      what: 'a retriever kind that does not exist',
      run: () => createRetriever({ kind: 'lucene' } as never),
      code: 'invalid-value',
      message:
        "createRetriever: option 'kind' must be 'auto', 'sqlite', 'minisearch', 'elasticsearch' or 'opensearch', got \"lucene\"",
    },
  ])('$what: $code', async ({ run, code, message }) => {
    const error = await thrown(run);
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({ name: 'TrlError', code });
    expect((error as Error).message).toMatch(message);
  });
});
