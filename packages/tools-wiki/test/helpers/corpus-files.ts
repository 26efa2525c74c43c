import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed, generated test corpus (scripts/generate-corpus.mjs). */
export const FIXTURE_CORPUS = fileURLToPath(new URL('../fixtures/corpus.jsonl', import.meta.url));

/** Rows of the fixture corpus, parsed independently of the package's reader. */
export function fixtureRows(): { id: string; title: string; text: string }[] {
  return readFileSync(FIXTURE_CORPUS, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { id: string; title: string; text: string });
}

/** A fresh temporary directory and a function removing it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'trl-wiki-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes rows (or raw lines) as a JSONL file in `dir` and returns its path. */
export function writeCorpus(dir: string, rows: readonly (object | string)[], name = 'corpus.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `${rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n')}\n`,
  );
  return path;
}

/**
 * Five one-paragraph articles used for hand-derived BM25 values. Token counts (title + text):
 * 1: 2+6, 2: 2+4, 3: 2+4, 4: 2+5, 5: 2+3 → 32 tokens, 6.4 per row on average.
 */
export const TINY_ROWS = [
  { id: '1', title: 'Alpha River', text: 'alpha flows north to the sea' },
  { id: '2', title: 'Beta Lake', text: 'the lake is deep' },
  { id: '3', title: 'Gamma Hill', text: 'a hill near alpha' },
  { id: '4', title: 'Delta Town', text: 'a town by the sea' },
  { id: '5', title: 'Epsilon Wood', text: 'an old wood' },
] as const;

/** Queries that must never make a retriever throw. */
export const HOSTILE_QUERIES: readonly string[] = [
  '',
  '   ',
  '?!.,;:()[]{}',
  'AND "',
  '"',
  '""',
  'alpha AND',
  'NOT alpha',
  'alpha OR OR beta',
  'NEAR(alpha beta)',
  'title:alpha',
  '^alpha*',
  'alpha"; DROP TABLE passages; --',
  "it's o'clock",
  '\u0000\u0001',
  '\ud800 lone high surrogate',
  'lone low \udc00',
  '😀😀😀',
  'Zürich Ærøskøbing',
  '𞤀𞤁 adlam',
  'e\u0301\u0301',
  'x'.repeat(100_000),
  Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' '),
  '{"query":{"match_all":{}}}',
  '*',
  '-',
];
