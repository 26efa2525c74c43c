import { TrlError } from '@trl/spec';
import { readCorpusRows, rowPassages } from './corpus-reader';
import type { Passage, PassageRecord } from './passage';
import { assertValidK, type Retriever, type SearchOptions } from './retriever';
import type { SearchEngineAdapter } from './search-engine-adapter';
import {
  assertBulkSucceeded,
  buildSearchBody,
  bulkOperations,
  INDEX_BODY,
  parseSearchResponse,
} from './search-engine-requests';

/** Options shared by the Elasticsearch and OpenSearch retrievers. */
export interface SearchEngineRetrieverOptions {
  /** Index holding the passages. Default `wiki`. */
  index?: string;
  /** Boost of the title field in the `multi_match` query. Default 2. */
  titleBoost?: number;
}

/** Options of {@link SearchEngineRetriever.indexCorpus}. */
export interface IndexCorpusOptions {
  /** Passages per `_bulk` request. Default 500. */
  batchSize?: number;
  /** Delete and recreate the index first, instead of adding to it. Default false. */
  recreate?: boolean;
}

/** What {@link SearchEngineRetriever.indexCorpus} indexed. */
export interface IndexCorpusResult {
  /** Articles (corpus rows) read. */
  readonly articles: number;
  /** Passages (paragraphs) indexed. */
  readonly passages: number;
}

/**
 * BM25 passage search on an Elasticsearch or OpenSearch index through a {@link SearchEngineAdapter}:
 * a `multi_match` over `title^2` and `text`, plus bulk indexing of a JSONL corpus. Use the
 * {@link ElasticsearchRetriever} and {@link OpenSearchRetriever} subclasses to connect.
 */
export class SearchEngineRetriever implements Retriever {
  /** `elasticsearch` or `opensearch`. */
  readonly kind: 'elasticsearch' | 'opensearch';
  /** The index searched. */
  readonly index: string;
  /** Title boost used in queries. */
  readonly titleBoost: number;
  private adapter: SearchEngineAdapter | undefined;

  /** Wraps a connected adapter; prefer the subclasses' `connect`. */
  constructor(adapter: SearchEngineAdapter, options: SearchEngineRetrieverOptions = {}) {
    const index = options.index ?? 'wiki';
    const titleBoost = options.titleBoost ?? 2;
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(index)) {
      throw new TrlError(
        'invalid-value',
        `option 'index' must be a lowercase index name like "wiki", got ${JSON.stringify(index)}`,
      );
    }
    if (!(titleBoost > 0) || !Number.isFinite(titleBoost)) {
      throw new TrlError('invalid-value', `option 'titleBoost' must be a positive number, got ${titleBoost}`);
    }
    this.adapter = adapter;
    this.kind = adapter.kind;
    this.index = index;
    this.titleBoost = titleBoost;
  }

  /** The `k` best passages; an empty or word-less query returns `[]` without a request. */
  async search(query: string, k: number, options: SearchOptions = {}): Promise<Passage[]> {
    assertValidK(k);
    const adapter = this.openAdapter();
    options.signal?.throwIfAborted();
    const body = buildSearchBody(query, k, this.titleBoost);
    if (body === undefined) return [];
    const response = await this.describeFailure('search', () =>
      adapter.search(this.index, body, options.signal),
    );
    return parseSearchResponse(response);
  }

  /**
   * Streams a JSONL corpus into the index, one document per paragraph (ids as in the SQLite
   * index), creating the index with BM25 text mappings if it does not exist, then refreshes it.
   */
  async indexCorpus(corpusPath: string, options: IndexCorpusOptions = {}): Promise<IndexCorpusResult> {
    const adapter = this.openAdapter();
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new TrlError(
        'invalid-value',
        `indexCorpus option 'batchSize' must be a positive integer, got ${batchSize}`,
      );
    }
    await this.describeFailure('index creation', async () => {
      const exists = await adapter.indexExists(this.index);
      if (exists && options.recreate) await adapter.deleteIndex(this.index);
      if (!exists || options.recreate) await adapter.createIndex(this.index, { ...INDEX_BODY });
    });
    let articles = 0;
    let passages = 0;
    let batch: PassageRecord[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const operations = bulkOperations(this.index, batch);
      assertBulkSucceeded(await this.describeFailure('bulk indexing', () => adapter.bulk(operations)));
      passages += batch.length;
      batch = [];
    };
    for await (const row of readCorpusRows(corpusPath)) {
      articles += 1;
      batch.push(...rowPassages(row));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await this.describeFailure('refresh', () => adapter.refresh(this.index));
    return { articles, passages };
  }

  /** Closes the client if the retriever created it. Idempotent. */
  async close(): Promise<void> {
    const adapter = this.adapter;
    this.adapter = undefined;
    await adapter?.close();
  }

  private openAdapter(): SearchEngineAdapter {
    if (this.adapter === undefined)
      throw new Error(`${this.kind} retriever for index '${this.index}' is closed`);
    return this.adapter;
  }

  private async describeFailure<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const endpoint = this.adapter?.endpoint ?? 'a closed client';
      throw new Error(
        `${this.kind} ${what} on index '${this.index}' at ${endpoint} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
