import { TrlError } from '@trl/spec';
import { ElasticsearchRetriever, type ElasticsearchRetrieverOptions } from './elasticsearch-retriever';
import { loadBetterSqlite3 } from './load-better-sqlite3';
import { MiniSearchRetriever } from './minisearch-retriever';
import { OpenSearchRetriever, type OpenSearchRetrieverOptions } from './opensearch-retriever';
import type { Retriever } from './retriever';
import { SqliteRetriever } from './sqlite-retriever';

/** Options of {@link createRetriever}. */
export type CreateRetrieverOptions =
  | {
      /**
       * `auto`: the SQLite index at `indexPath` if better-sqlite3 loads, otherwise an in-memory
       * MiniSearch index of the corpus at `corpusPath`.
       */
      kind: 'auto';
      /** SQLite index built by `trl-wiki-index`. */
      indexPath?: string;
      /** JSONL corpus, for the MiniSearch fallback. */
      corpusPath?: string;
      /** Called with the reason when the MiniSearch fallback is used instead of SQLite. */
      onFallback?: (reason: string) => void;
    }
  | {
      /** An SQLite FTS5 index; needs better-sqlite3. */
      kind: 'sqlite';
      /** SQLite index built by `trl-wiki-index`. */
      indexPath: string;
    }
  | {
      /** An in-memory MiniSearch index of a JSONL corpus; pure JavaScript. */
      kind: 'minisearch';
      /** JSONL corpus. */
      corpusPath: string;
    }
  | ({
      /** An Elasticsearch index; needs `@elastic/elasticsearch`. */
      kind: 'elasticsearch';
    } & ElasticsearchRetrieverOptions)
  | ({
      /** An OpenSearch index; needs `@opensearch-project/opensearch`. */
      kind: 'opensearch';
    } & OpenSearchRetrieverOptions);

/** Opens the retriever described by `options`; see {@link CreateRetrieverOptions}. */
export async function createRetriever(options: CreateRetrieverOptions): Promise<Retriever> {
  switch (options.kind) {
    case 'sqlite':
      return SqliteRetriever.open(options.indexPath);
    case 'minisearch':
      return MiniSearchRetriever.fromJsonl(options.corpusPath);
    case 'elasticsearch':
      return ElasticsearchRetriever.connect(options);
    case 'opensearch':
      return OpenSearchRetriever.connect(options);
    case 'auto':
      return createAutoRetriever(options);
    default:
      throw new TrlError(
        'invalid-value',
        `createRetriever: option 'kind' must be 'auto', 'sqlite', 'minisearch', 'elasticsearch' or 'opensearch', got ${JSON.stringify((options as { kind: unknown }).kind)}`,
      );
  }
}

async function createAutoRetriever(
  options: Extract<CreateRetrieverOptions, { kind: 'auto' }>,
): Promise<Retriever> {
  const { indexPath, corpusPath, onFallback } = options;
  if (indexPath === undefined && corpusPath === undefined) {
    throw new TrlError(
      'invalid-argument',
      "createRetriever({ kind: 'auto' }) needs 'indexPath' (SQLite index), 'corpusPath' (JSONL), or both",
    );
  }
  const sqlite = await loadBetterSqlite3();
  if (indexPath !== undefined && sqlite.ok) return SqliteRetriever.open(indexPath);
  if (corpusPath === undefined) {
    throw new Error(
      `createRetriever({ kind: 'auto' }): better-sqlite3 is unavailable (${sqlite.ok ? '' : sqlite.reason}) and no 'corpusPath' was given for the MiniSearch fallback`,
    );
  }
  onFallback?.(indexPath === undefined ? 'no indexPath given' : sqlite.ok ? '' : sqlite.reason);
  return MiniSearchRetriever.fromJsonl(corpusPath);
}

/** Whether the SQLite retriever can be used here, and if not, why. */
export async function isSqliteAvailable(): Promise<{ available: boolean; reason?: string }> {
  const result = await loadBetterSqlite3();
  return result.ok ? { available: true } : { available: false, reason: result.reason };
}
