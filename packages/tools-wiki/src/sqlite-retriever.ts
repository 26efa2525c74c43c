import { stat } from 'node:fs/promises';
import { TrlError } from '@trl/spec';
import type BetterSqlite3 from 'better-sqlite3';
import { loadBetterSqlite3 } from './load-better-sqlite3';
import type { Passage } from './passage';
import { toFts5Query } from './query-terms';
import { assertValidK, type Retriever, type SearchOptions } from './retriever';
import { buildCommandHint, INDEX_FORMAT, META_TABLE, PASSAGE_TABLE } from './sqlite-schema';

/**
 * BM25 passage search over an SQLite FTS5 index written by {@link buildIndex} (or the
 * `trl-wiki-index` CLI). Queries run synchronously inside SQLite — well under a millisecond on
 * small corpora — and the file is opened read-only, so many processes can share one index.
 */
export class SqliteRetriever implements Retriever {
  /** Always `sqlite`. */
  readonly kind = 'sqlite';
  /** Path of the index file. */
  readonly path: string;
  private db: BetterSqlite3.Database | undefined;
  private readonly statement: BetterSqlite3.Statement<[string, number], Passage>;

  private constructor(path: string, db: BetterSqlite3.Database) {
    this.path = path;
    this.db = db;
    this.statement = db.prepare(
      `SELECT passage_id AS id, title, text, -rank AS score FROM ${PASSAGE_TABLE}
       WHERE ${PASSAGE_TABLE} MATCH ? ORDER BY rank LIMIT ?`,
    );
  }

  /**
   * Opens an index. Throws an Error naming the path and the build command if the file does not
   * exist, and naming the path if it is not a readable trl-wiki index (corrupt, or another file).
   */
  static async open(path: string): Promise<SqliteRetriever> {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined)
      throw new TrlError('file-not-found', `Wiki index not found: ${path}; ${buildCommandHint(path)}`);
    if (!info.isFile()) throw new TrlError('invalid-argument', `Wiki index path is not a file: ${path}`);
    const sqlite = await loadBetterSqlite3();
    if (!sqlite.ok) {
      throw new Error(
        `SqliteRetriever needs better-sqlite3 (${sqlite.reason}); use createRetriever({ kind: 'minisearch', corpusPath }) instead`,
      );
    }
    let db: BetterSqlite3.Database | undefined;
    try {
      db = new sqlite.Database(path, { readonly: true, fileMustExist: true });
      // Opening is lazy: the first read is what discovers a corrupt or foreign file.
      const format = db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = 'format'`).pluck().get();
      if (format !== INDEX_FORMAT)
        throw new Error(`metadata format is ${String(format)}, not ${INDEX_FORMAT}`);
      return new SqliteRetriever(path, db);
    } catch (error) {
      db?.close();
      throw new TrlError(
        'invalid-file',
        `Wiki index ${path} is not a readable trl-wiki index (${(error as Error).message}); re${buildCommandHint(path)}`,
      );
    }
  }

  /** Number of passages in the index. */
  count(): number {
    return this.openDb().prepare(`SELECT count(*) FROM ${PASSAGE_TABLE}`).pluck().get() as number;
  }

  /** The `k` best passages by title-weighted BM25; an empty or word-less query returns `[]`. */
  async search(query: string, k: number, options: SearchOptions = {}): Promise<Passage[]> {
    assertValidK(k);
    this.openDb();
    options.signal?.throwIfAborted();
    const match = toFts5Query(query);
    if (match === undefined) return [];
    return this.statement.all(match, k);
  }

  /** Closes the database. Idempotent. */
  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private openDb(): BetterSqlite3.Database {
    if (this.db === undefined) throw new Error(`SqliteRetriever for ${this.path} is closed`);
    return this.db;
  }
}
