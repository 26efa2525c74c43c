import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseOptions } from '@trl/spec';
import { z } from 'zod';
import { readCorpusRows, rowPassages } from './corpus-reader';
import { loadBetterSqlite3 } from './load-better-sqlite3';
import {
  CREATE_INDEX_SQL,
  INDEX_FORMAT,
  INDEX_FORMAT_VERSION,
  META_TABLE,
  PASSAGE_TABLE,
  rankConfigSql,
} from './sqlite-schema';

/** Options of {@link buildIndex}. */
export interface BuildIndexOptions {
  /** Path of the JSONL corpus: one `{"id", "title", "text"}` article per line. */
  input: string;
  /** Path of the SQLite index to write; replaced atomically if it exists. */
  output: string;
  /** BM25 weight of the title column relative to the text (1). Default 2. */
  titleWeight?: number;
  /** Passages inserted per transaction. Default 5000. */
  batchSize?: number;
  /** Called after each batch with the number of passages written so far. */
  onProgress?: (passages: number) => void;
}

/** What {@link buildIndex} wrote. */
export interface BuildIndexResult {
  /** The index path (same as `output`). */
  readonly output: string;
  /** Articles (corpus rows) read. */
  readonly articles: number;
  /** Passages (paragraphs) indexed. */
  readonly passages: number;
}

const buildIndexOptionsSchema = z.object({
  input: z.string().min(1, 'input must be the path of a JSONL corpus'),
  output: z.string().min(1, 'output must be the path of the SQLite index to write'),
  titleWeight: z.number().positive().max(1000).default(2),
  batchSize: z.number().int().positive().default(5000),
  onProgress: z.custom<(passages: number) => void>((value) => typeof value === 'function').optional(),
});

/**
 * Builds an SQLite FTS5 BM25 index from a JSONL corpus, one row per paragraph. The corpus is read
 * line by line, so it can be larger than memory. The index is written to a temporary file next to
 * `output` and renamed into place at the end, so readers never see a half-built index and a
 * failed build leaves any previous index untouched. Needs better-sqlite3.
 */
export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
  const { input, output, titleWeight, batchSize, onProgress } = parseOptions(
    'buildIndex',
    buildIndexOptionsSchema,
    options,
  );
  const sqlite = await loadBetterSqlite3();
  if (!sqlite.ok) {
    throw new Error(
      `buildIndex needs better-sqlite3 (${sqlite.reason}); without it use MiniSearchRetriever.fromJsonl(corpus) instead`,
    );
  }
  const temporary = join(
    dirname(output),
    `.${basename(output)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const db = new sqlite.Database(temporary);
  let articles = 0;
  let passages = 0;
  try {
    // The file is private until the rename, so durability during the build buys nothing.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(CREATE_INDEX_SQL);
    db.exec(rankConfigSql(titleWeight));
    const insert = db.prepare(`INSERT INTO ${PASSAGE_TABLE} (title, text, passage_id) VALUES (?, ?, ?)`);
    const insertBatch = db.transaction((batch: [string, string, string][]) => {
      for (const row of batch) insert.run(row);
    });
    let batch: [string, string, string][] = [];
    for await (const row of readCorpusRows(input)) {
      articles += 1;
      for (const passage of rowPassages(row)) batch.push([passage.title, passage.text, passage.id]);
      if (batch.length >= batchSize) {
        insertBatch(batch);
        passages += batch.length;
        batch = [];
        onProgress?.(passages);
      }
    }
    insertBatch(batch);
    passages += batch.length;
    onProgress?.(passages);
    // Merging FTS5's b-tree segments once makes every later query cheaper.
    db.exec(`INSERT INTO ${PASSAGE_TABLE}(${PASSAGE_TABLE}) VALUES ('optimize')`);
    const meta = db.prepare(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?)`);
    for (const [key, value] of Object.entries({
      format: INDEX_FORMAT,
      version: INDEX_FORMAT_VERSION,
      title_weight: String(titleWeight),
      articles: String(articles),
      passages: String(passages),
      source: basename(input),
    })) {
      meta.run(key, value);
    }
    db.close();
    await rename(temporary, output);
    return { output, articles, passages };
  } catch (error) {
    if (db.open) db.close();
    await rm(temporary, { force: true });
    throw error;
  }
}
