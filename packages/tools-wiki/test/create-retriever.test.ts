import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, createRetriever, DISABLE_SQLITE_ENV, isSqliteAvailable, WikiSearch } from '../src/index';
import { loadBetterSqlite3 } from '../src/load-better-sqlite3';
import { FIXTURE_CORPUS, fixtureRows, tempDir } from './helpers/corpus-files';

const { dir, cleanup } = tempDir();
const indexPath = join(dir, 'wiki.db');
beforeAll(async () => {
  await buildIndex({ input: FIXTURE_CORPUS, output: indexPath });
});
afterAll(cleanup);
afterEach(() => {
  delete process.env[DISABLE_SQLITE_ENV];
});

describe('createRetriever', () => {
  it('auto picks SQLite when better-sqlite3 loads', async () => {
    expect(await isSqliteAvailable()).toEqual({ available: true });
    const retriever = await createRetriever({ kind: 'auto', indexPath, corpusPath: FIXTURE_CORPUS });
    expect(retriever.kind).toBe('sqlite');
    await retriever.close();
  });

  it('auto falls back to MiniSearch when better-sqlite3 cannot be used', async () => {
    process.env[DISABLE_SQLITE_ENV] = '1';
    expect(await isSqliteAvailable()).toEqual({
      available: false,
      reason: `disabled by ${DISABLE_SQLITE_ENV}=1`,
    });
    const reasons: string[] = [];
    const retriever = await createRetriever({
      kind: 'auto',
      indexPath,
      corpusPath: FIXTURE_CORPUS,
      onFallback: (reason) => reasons.push(reason),
    });
    expect(retriever.kind).toBe('minisearch');
    expect(reasons).toEqual([`disabled by ${DISABLE_SQLITE_ENV}=1`]);
    const title = fixtureRows()[10]!.title;
    const tool = new WikiSearch({ retriever });
    expect((await tool.call(title, { signal: new AbortController().signal })).split('\n')[0]).toBe(title);
    await tool.close();
  });

  it('explains what is missing when auto has nothing to fall back to', async () => {
    process.env[DISABLE_SQLITE_ENV] = '1';
    await expect(createRetriever({ kind: 'auto', indexPath })).rejects.toThrow(
      /better-sqlite3 is unavailable \(disabled by TRL_WIKI_DISABLE_SQLITE=1\) and no 'corpusPath'/,
    );
    await expect(createRetriever({ kind: 'auto' })).rejects.toThrow("needs 'indexPath'");
  });

  it('reports a module that cannot load instead of throwing', async () => {
    const result = await loadBetterSqlite3('better-sqlite3-that-does-not-exist');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(
      /^better-sqlite3-that-does-not-exist could not be loaded: /,
    );
  });

  it('opens each explicit kind', async () => {
    const sqlite = await createRetriever({ kind: 'sqlite', indexPath });
    expect(sqlite.kind).toBe('sqlite');
    await sqlite.close();
    const mini = await createRetriever({ kind: 'minisearch', corpusPath: FIXTURE_CORPUS });
    expect(mini.kind).toBe('minisearch');
    await mini.close();
    await expect(createRetriever({ kind: 'sqlite', indexPath: join(dir, 'nope.db') })).rejects.toThrow(
      'Wiki index not found',
    );
    await expect(createRetriever({ kind: 'lucene' } as never)).rejects.toThrow("option 'kind' must be");
  });
});
