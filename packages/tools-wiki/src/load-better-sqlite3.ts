import type BetterSqlite3 from 'better-sqlite3';

/** The better-sqlite3 `Database` constructor. */
export type DatabaseConstructor = typeof BetterSqlite3;

/** Outcome of {@link loadBetterSqlite3}. */
export type SqliteLoadResult =
  | {
      /** better-sqlite3 loaded and can open an FTS5 table. */
      readonly ok: true;
      /** Its `Database` constructor. */
      readonly Database: DatabaseConstructor;
    }
  | {
      /** better-sqlite3 is missing, failed to load (e.g. no compiled binary), or lacks FTS5. */
      readonly ok: false;
      /** Why, for the fallback's log line or an error message. */
      readonly reason: string;
    };

/** Set this environment variable to `1` to act as if better-sqlite3 were not installed. */
export const DISABLE_SQLITE_ENV = 'TRL_WIKI_DISABLE_SQLITE';

const cache = new Map<string, Promise<SqliteLoadResult>>();

/**
 * Loads better-sqlite3 (an optional, compiled dependency) and checks that it works, without
 * throwing. Its native binary is loaded lazily by the first `new Database()`, so that is tried too,
 * with an in-memory FTS5 table.
 */
export function loadBetterSqlite3(moduleName = 'better-sqlite3'): Promise<SqliteLoadResult> {
  if (process.env[DISABLE_SQLITE_ENV] === '1') {
    return Promise.resolve({ ok: false, reason: `disabled by ${DISABLE_SQLITE_ENV}=1` });
  }
  let result = cache.get(moduleName);
  if (result === undefined) {
    result = probe(moduleName);
    cache.set(moduleName, result);
  }
  return result;
}

async function probe(moduleName: string): Promise<SqliteLoadResult> {
  try {
    const module = (await import(moduleName)) as { default?: DatabaseConstructor } & DatabaseConstructor;
    const Database = module.default ?? module;
    const db = new Database(':memory:');
    try {
      db.exec('CREATE VIRTUAL TABLE probe USING fts5(text)');
    } finally {
      db.close();
    }
    return { ok: true, Database };
  } catch (error) {
    return { ok: false, reason: `${moduleName} could not be loaded: ${(error as Error).message}` };
  }
}
