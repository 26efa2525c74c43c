import { createElasticsearchAdapter, type ElasticsearchConnection } from './elasticsearch-adapter';
import { SearchEngineRetriever, type SearchEngineRetrieverOptions } from './search-engine-retriever';

/** Options of {@link ElasticsearchRetriever.connect}. */
export interface ElasticsearchRetrieverOptions
  extends ElasticsearchConnection,
    SearchEngineRetrieverOptions {}

/**
 * BM25 passage search on Elasticsearch 8/9 with the official `@elastic/elasticsearch` client
 * (an optional dependency): `multi_match` over `title^2` and `text`. Build the index with
 * {@link SearchEngineRetriever.indexCorpus}.
 */
export class ElasticsearchRetriever extends SearchEngineRetriever {
  /** Creates the client (no request is sent until the first search). */
  static async connect(options: ElasticsearchRetrieverOptions = {}): Promise<ElasticsearchRetriever> {
    return new ElasticsearchRetriever(await createElasticsearchAdapter(options), options);
  }
}
