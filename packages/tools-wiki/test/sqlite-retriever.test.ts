import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, SqliteRetriever } from '../src/index';
import { FIXTURE_CORPUS, fixtureRows, TINY_ROWS, tempDir, writeCorpus } from './helpers/corpus-files';
import { expectFindsEveryTitle, expectHostileQueriesHarmless } from './helpers/retriever-checks';

const { dir, cleanup } = tempDir();
let fixture: SqliteRetriever;
let tiny: SqliteRetriever;

beforeAll(async () => {
  await buildIndex({ input: FIXTURE_CORPUS, output: join(dir, 'fixture.db') });
  await buildIndex({ input: writeCorpus(dir, TINY_ROWS, 'tiny.jsonl'), output: join(dir, 'tiny.db') });
  fixture = await SqliteRetriever.open(join(dir, 'fixture.db'));
  tiny = await SqliteRetriever.open(join(dir, 'tiny.db'));
});
afterAll(async () => {
  await fixture.close();
  await tiny.close();
  cleanup();
});

// FTS5's bm25(): k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5)); the term frequency is
// summed over columns times each column's weight; D is the row's token count over all columns.
const bm25Term = (idf: number, weightedTf: number, rowTokens: number, avgTokens: number) =>
  (idf * (weightedTf * 2.2)) / (weightedTf + 1.2 * (0.25 + (0.75 * rowTokens) / avgTokens));

describe('SqliteRetriever BM25', () => {
  it('matches hand-computed FTS5 BM25 with the title weighted 2x', async () => {
    // "alpha" occurs in rows 1 (title and text: weighted tf 2·1 + 1) and 3 (text only: tf 1).
    const idf = Math.log((5 - 2 + 0.5) / (2 + 0.5));
    const passages = await tiny.search('alpha', 5);
    expect(passages.map((p) => p.id)).toEqual(['1#0', '3#0']);
    expect(passages[0]!.score).toBeCloseTo(bm25Term(idf, 3, 8, 6.4), 10);
    expect(passages[1]!.score).toBeCloseTo(bm25Term(idf, 1, 6, 6.4), 10);
    expect(passages[0]).toMatchObject({ title: 'Alpha River', text: 'alpha flows north to the sea' });
  });

  it('sums the terms of an OR query', async () => {
    // "deep" only in row 2 (n = 1); "sea" in rows 1 and 4 (n = 2).
    const idfDeep = Math.log((5 - 1 + 0.5) / (1 + 0.5));
    const passages = await tiny.search('deep water', 5);
    expect(passages).toHaveLength(1);
    expect(passages[0]!.score).toBeCloseTo(bm25Term(idfDeep, 1, 6, 6.4), 10);
    const idfSea = Math.log((5 - 2 + 0.5) / (2 + 0.5));
    const both = await tiny.search('deep sea', 5);
    expect(both.map((p) => p.id)).toEqual(['2#0', '4#0', '1#0']);
    expect(both[1]!.score).toBeCloseTo(bm25Term(idfSea, 1, 7, 6.4), 10);
  });

  it('uses the title weight given at build time', async () => {
    const output = join(dir, 'tiny-w1.db');
    await buildIndex({ input: join(dir, 'tiny.jsonl'), output, titleWeight: 1 });
    const flat = await SqliteRetriever.open(output);
    const idf = Math.log((5 - 2 + 0.5) / (2 + 0.5));
    expect((await flat.search('alpha', 1))[0]!.score).toBeCloseTo(bm25Term(idf, 2, 8, 6.4), 10);
    await flat.close();
  });

  it('returns at most k passages', async () => {
    expect(await tiny.search('a the sea alpha', 2)).toHaveLength(2);
    await expect(tiny.search('alpha', 0)).rejects.toThrow('k must be a positive integer, got 0');
    await expect(tiny.search('alpha', 1.5)).rejects.toThrow('k must be a positive integer');
  });
});

describe('SqliteRetriever on the generated corpus', () => {
  const rows = fixtureRows();

  it('indexes every paragraph', () => {
    const paragraphs = rows.reduce((sum, row) => sum + row.text.split('\n\n').length, 0);
    expect(fixture.count()).toBe(paragraphs);
  });

  it('finds every article by its title', async () => {
    await expectFindsEveryTitle(fixture, rows);
  });

  it('answers a fact question with the paragraph holding the fact', async () => {
    const river = rows.find((row) => row.text.includes('is a river in'))!;
    const [top] = await fixture.search(`What is the length of the ${river.title} river in km?`, 1);
    expect(top!.id).toBe(`${river.id}#0`);
    expect(top!.text).toMatch(/Its length is \d+ km/);
  });

  it('never throws on hostile queries and keeps working after them', async () => {
    await expectHostileQueriesHarmless(fixture);
    expect(await fixture.search('"()*:', 3)).toEqual([]);
    // FTS5 operators in user text are searched as ordinary words.
    expect((await fixture.search('AND "', 3))[0]!.text).toMatch(/\band\b/);
    await expectFindsEveryTitle(fixture, rows.slice(0, 1));
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fixture.search('alpha', 1, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describe('SqliteRetriever bad input', () => {
  it('names the missing path and the build command', async () => {
    const missing = join(dir, 'missing.db');
    await expect(SqliteRetriever.open(missing)).rejects.toThrow(
      `Wiki index not found: ${missing}; build it with: npx trl-wiki-index --input <corpus.jsonl> --output ${missing}`,
    );
    await expect(SqliteRetriever.open(dir)).rejects.toThrow(`Wiki index path is not a file: ${dir}`);
  });

  it('rejects a corrupt file clearly', async () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, 'this is not an SQLite database, just some text '.repeat(200));
    await expect(SqliteRetriever.open(corrupt)).rejects.toThrow(
      new RegExp(
        `Wiki index ${corrupt} is not a readable trl-wiki index \\(file is not a database\\); rebuild it`,
      ),
    );
  });

  it('rejects an SQLite file that is not a trl-wiki index', async () => {
    const { default: Database } = await import('better-sqlite3');
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    await expect(SqliteRetriever.open(other)).rejects.toThrow(
      /not a readable trl-wiki index \(no such table: trl_wiki_meta\)/,
    );
  });

  it('throws after close, and close is idempotent', async () => {
    const retriever = await SqliteRetriever.open(join(dir, 'tiny.db'));
    await retriever.close();
    await retriever.close();
    await expect(retriever.search('alpha', 1)).rejects.toThrow(/is closed/);
  });
});

describe('buildIndex', () => {
  it('reports what it indexed and leaves no temporary file', async () => {
    const result = await buildIndex({ input: join(dir, 'tiny.jsonl'), output: join(dir, 'again.db') });
    expect(result).toEqual({ output: join(dir, 'again.db'), articles: 5, passages: 5 });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the previous index when a build fails halfway', async () => {
    const output = join(dir, 'kept.db');
    await buildIndex({ input: join(dir, 'tiny.jsonl'), output });
    const broken = writeCorpus(dir, [...TINY_ROWS, '{"id": "6", "title": 3}'], 'broken.jsonl');
    await expect(buildIndex({ input: broken, output, batchSize: 2 })).rejects.toThrow(
      `${broken}:6: field 'title'`,
    );
    const kept = await SqliteRetriever.open(output);
    expect(kept.count()).toBe(5);
    await kept.close();
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('validates its options', async () => {
    await expect(buildIndex({ input: '', output: 'x.db' })).rejects.toThrow(
      'buildIndex: invalid options: input:',
    );
    await expect(buildIndex({ input: 'a', output: 'x.db', titleWeight: -1 })).rejects.toThrow(
      'buildIndex: invalid options: titleWeight:',
    );
    await expect(buildIndex({ input: join(dir, 'none.jsonl'), output: join(dir, 'x.db') })).rejects.toThrow(
      'corpus file not found',
    );
    await expect(buildIndex({ input: 'a', output: 'x.db', batch_size: 10 } as never)).rejects.toThrow(
      /batch_size: .*trl-ts spells it batchSize/,
    );
  });

  it('indexes a corpus with invalid UTF-8 bytes, reading them as U+FFFD', async () => {
    const input = join(dir, 'latin1.jsonl');
    const line = Buffer.concat([
      Buffer.from('{"id": "b", "title": "Caf'),
      Buffer.from([0xe9, 0xff]), // Latin-1 "é" and a byte that is never valid UTF-8
      Buffer.from('", "text": "A small cafe by the harbour."}\n'),
    ]);
    writeFileSync(input, line);
    const output = join(dir, 'latin1.db');
    expect(await buildIndex({ input, output })).toMatchObject({ articles: 1, passages: 1 });
    const retriever = await SqliteRetriever.open(output);
    const [top] = await retriever.search('harbour cafe', 1);
    expect(top?.title).toBe('Caf\ufffd\ufffd');
    await retriever.close();
  });

  it('matches accented words without accents', async () => {
    const input = writeCorpus(
      dir,
      [{ id: 'z', title: 'Zürich', text: 'A city on the lake of Zürich.' }],
      'accents.jsonl',
    );
    const output = join(dir, 'accents.db');
    await buildIndex({ input, output });
    const retriever = await SqliteRetriever.open(output);
    expect((await retriever.search('zurich', 1))[0]?.id).toBe('z#0');
    await retriever.close();
  });
});
