import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../src/data/csv';
import { Dataset } from '../src/data/dataset';
import { loadJson } from '../src/data/json';
import { loadJsonl, streamJsonl } from '../src/data/jsonl';
import { loadDataset } from '../src/data/load-dataset';
import type { SkippedRecord } from '../src/data/load-options';
import { loadParquet } from '../src/data/parquet';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'data', name);

describe('Dataset', () => {
  const rows = Array.from({ length: 10 }, (_, index) => ({ id: index }));
  it('maps, filters and selects without changing the source', () => {
    const dataset = Dataset.from(rows);
    const doubled = dataset.map((row) => row.id * 2).filter((value) => value % 4 === 0);
    expect(doubled.toArray()).toEqual([0, 4, 8, 12, 16]);
    expect(dataset.select([3, 1]).toArray()).toEqual([{ id: 3 }, { id: 1 }]);
    expect(dataset.length).toBe(10);
    expect(() =>
      dataset.map(() => {
        throw new Error('boom');
      }),
    ).toThrow(/row 0: boom/);
  });
  it('shuffles with a seed, reproducibly', () => {
    const dataset = Dataset.from(rows);
    const a = dataset.shuffle(7).toArray();
    expect(a).toEqual(dataset.shuffle(7).toArray());
    expect(a).not.toEqual(rows);
    expect(dataset.shuffle(8).toArray()).not.toEqual(a);
    expect([...a].sort((x, y) => x.id - y.id)).toEqual(rows);
  });
  it('splits into disjoint train and test sets', () => {
    const { train, test } = Dataset.from(rows).trainTestSplit({ testSize: 0.25, seed: 1 });
    expect(test.length).toBe(3);
    expect(train.length).toBe(7);
    const ids = [...train, ...test].map((row) => row.id).sort((x, y) => x - y);
    expect(ids).toEqual(rows.map((row) => row.id));
    const ordered = Dataset.from(rows).trainTestSplit({ testSize: 2, shuffle: false });
    expect(ordered.test.toArray()).toEqual([{ id: 8 }, { id: 9 }]);
    expect(() => Dataset.from(rows).trainTestSplit({ testSize: 10 })).toThrow(/leaving none to train on/);
    expect(() => Dataset.from(rows).trainTestSplit({ testSize: -1 })).toThrow(/testSize/);
  });
});

describe('loaders', () => {
  it('reads JSONL, skipping blank lines', async () => {
    const dataset = await loadJsonl(fixture('pairs.jsonl'));
    expect(dataset.toArray()).toEqual([
      { chosen: 'good answer', rejected: 'bad answer', margin: 1 },
      { chosen: 'yes', rejected: 'no' },
      { chosen: 'fine', rejected: 'poor' },
    ]);
  });
  it('reports malformed JSONL lines by number, failing or skipping', async () => {
    await expect(loadJsonl(fixture('malformed.jsonl'))).rejects.toThrow(/malformed\.jsonl:2: invalid JSON/);
    const skipped: SkippedRecord[] = [];
    const dataset = await loadJsonl(fixture('malformed.jsonl'), {
      onBadRecord: 'skip',
      onSkip: (s) => skipped.push(s),
    });
    expect(dataset.toArray()).toEqual([{ text: 'one' }, { text: 'four' }]);
    expect(skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(skipped[1]?.reason).toMatch(/expected a JSON object per line, got an array/);
  });
  it('streams JSONL row by row with the same line numbers', async () => {
    const seen: unknown[] = [];
    for await (const row of streamJsonl(fixture('pairs.jsonl'))) seen.push(row);
    expect(seen).toHaveLength(3);
    const skipped: number[] = [];
    const rows: unknown[] = [];
    for await (const row of streamJsonl(fixture('malformed.jsonl'), {
      onBadRecord: 'skip',
      onSkip: (s) => skipped.push(s.line),
    }))
      rows.push(row);
    expect(rows).toEqual([{ text: 'one' }, { text: 'four' }]);
    expect(skipped).toEqual([2, 3]);
    await expect(async () => {
      for await (const _ of streamJsonl(fixture('malformed.jsonl'))) void _;
    }).rejects.toThrow(/:2: invalid JSON/);
  });
  it('streams a large file and can stop early', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trl-data-'));
    try {
      const path = join(dir, 'big.jsonl');
      await writeFile(path, Array.from({ length: 20000 }, (_, i) => JSON.stringify({ i })).join('\n'));
      let count = 0;
      for await (const row of streamJsonl(path)) {
        count++;
        if ((row.i as number) === 999) break;
      }
      expect(count).toBe(1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('reads CSV with quotes, embedded newlines and numbers', async () => {
    const dataset = await loadCsv(fixture('rows.csv'));
    expect(dataset.toArray()).toEqual([
      { prompt: 'Hi, there', completion: 'Hello "friend"', score: 1.5 },
      { prompt: 'plain', completion: 'multi\nline', score: -2 },
    ]);
  });
  it('reports CSV records with the wrong number of cells by line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trl-data-'));
    try {
      const path = join(dir, 'bad.csv');
      await writeFile(path, 'a,b\n1,2\n3\n4,5\n');
      await expect(loadCsv(path)).rejects.toThrow(/bad\.csv:3: expected 2 cells \(a, b\), got 1/);
      expect((await loadCsv(path, { onBadRecord: 'skip' })).toArray()).toEqual([
        { a: 1, b: 2 },
        { a: 4, b: 5 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('reads JSON arrays and column objects', async () => {
    expect((await loadJson(fixture('rows.json'))).toArray()).toEqual([{ text: 'a' }, { text: 'b' }]);
    expect((await loadJson(fixture('columns.json'))).at(2)).toEqual({ text: 'c', id: 3 });
  });
  it('picks the reader from the extension and explains unknown ones', async () => {
    expect((await loadDataset(fixture('rows.csv'))).length).toBe(2);
    expect((await loadDataset(fixture('pairs.jsonl'))).length).toBe(3);
    await expect(loadDataset(fixture('rows.txt'))).rejects.toThrow(/cannot tell the format.*pass `format`/);
    await expect(loadParquet(fixture('rows.json'))).rejects.toThrow(/not a readable Parquet file/);
  });
});
