#!/usr/bin/env node
// Calls per second of the WikiSearch tool over the SQLite and MiniSearch retrievers on the
// generated test corpus. Runs the built package (dist/), so build first: `tsup && node scripts/bench.mjs`.
// Prints one JSON line per retriever:
//   {"bench":"tools-wiki","retriever":"sqlite","calls_per_s":...}
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndex, createRetriever, isSqliteAvailable, WikiSearch } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusPath = join(here, '..', 'test', 'fixtures', 'corpus.jsonl');
const seconds = Number(process.env.BENCH_SECONDS ?? 2);

// Questions a model would ask: an entity name plus a few fact words.
const titles = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line).title);
const queries = titles.map(
  (title, i) => [`${title}`, `length of ${title}`, `when was ${title} founded`][i % 3],
);

async function measure(retriever) {
  const tool = new WikiSearch({ retriever });
  const { signal } = new AbortController();
  for (let i = 0; i < 200; i += 1) await tool.call(queries[i % queries.length], { signal }); // warm-up
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    await tool.call(queries[calls % queries.length], { signal });
    calls += 1;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  await tool.close();
  return { calls, calls_per_s: Math.round(calls / elapsed) };
}

const dir = mkdtempSync(join(tmpdir(), 'trl-wiki-bench-'));
try {
  const { available, reason } = await isSqliteAvailable();
  if (available) {
    const indexPath = join(dir, 'wiki.db');
    await buildIndex({ input: corpusPath, output: indexPath });
    const result = await measure(await createRetriever({ kind: 'sqlite', indexPath }));
    console.log(JSON.stringify({ bench: 'tools-wiki', retriever: 'sqlite', k: 1, ...result }));
  } else {
    console.log(JSON.stringify({ bench: 'tools-wiki', retriever: 'sqlite', skipped: reason }));
  }
  const result = await measure(await createRetriever({ kind: 'minisearch', corpusPath }));
  console.log(JSON.stringify({ bench: 'tools-wiki', retriever: 'minisearch', k: 1, ...result }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
