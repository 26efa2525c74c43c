import { TrlError } from '@trl/spec';
import type { Passage } from './passage';

/** Options of a single {@link Retriever.search} call. */
export interface SearchOptions {
  /** Aborts a remote request (Elasticsearch/OpenSearch); local retrievers check it before searching. */
  signal?: AbortSignal;
}

/** The kinds of retriever this package implements. */
export type RetrieverKind = 'sqlite' | 'minisearch' | 'elasticsearch' | 'opensearch';

/**
 * Passage search over a corpus. Implementations accept any query text: words are extracted and
 * OR'ed, so punctuation, query syntax or an empty string never make them throw (an empty query
 * simply finds nothing).
 */
export interface Retriever {
  /** Which implementation this is, for logs and benchmarks. */
  readonly kind: RetrieverKind | (string & {});
  /** The `k` best passages for `query`, best first; fewer if fewer match. `k` is a positive integer. */
  search(query: string, k: number, options?: SearchOptions): Promise<Passage[]>;
  /** Releases the index or connection. Idempotent; searching afterwards throws. */
  close(): Promise<void>;
}

/** Throws a clear Error unless `k` is a positive integer (every retriever checks it the same way). */
export function assertValidK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new TrlError(
      'invalid-argument',
      `search(query, k): k must be a positive integer, got ${String(k)}`,
    );
  }
}
