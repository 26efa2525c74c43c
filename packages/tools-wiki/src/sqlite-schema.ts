/** Value of the `format` key in an index's metadata table; anything else is not our index. */
export const INDEX_FORMAT = 'trl-wiki-fts5';

/** Version of the table layout below; bumped on incompatible changes. */
export const INDEX_FORMAT_VERSION = '1';

/** Name of the key/value metadata table. */
export const META_TABLE = 'trl_wiki_meta';

/** Name of the FTS5 table holding one row per passage. */
export const PASSAGE_TABLE = 'passages';

/**
 * The index layout. `remove_diacritics 2` lets "Zürich" match "zurich"; `passage_id` is stored but
 * not tokenized.
 */
export const CREATE_INDEX_SQL = `
CREATE TABLE ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE ${PASSAGE_TABLE} USING fts5(
  title, text, passage_id UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);`;

/**
 * Makes FTS5's `rank` column BM25 with the title weighted `titleWeight` times the text, stored in
 * the index so every reader ranks the same way.
 */
export function rankConfigSql(titleWeight: number): string {
  return `INSERT INTO ${PASSAGE_TABLE}(${PASSAGE_TABLE}, rank) VALUES ('rank', 'bm25(${titleWeight}, 1.0)')`;
}

/** The command that (re)builds an index at `output`, for error messages. */
export function buildCommandHint(output: string): string {
  return `build it with: npx trl-wiki-index --input <corpus.jsonl> --output ${output}`;
}
