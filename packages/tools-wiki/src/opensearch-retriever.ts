import { createOpenSearchAdapter, type OpenSearchConnection } from './opensearch-adapter';
import { SearchEngineRetriever, type SearchEngineRetrieverOptions } from './search-engine-retriever';

/** Options of {@link OpenSearchRetriever.connect}. */
export interface OpenSearchRetrieverOptions extends OpenSearchConnection, SearchEngineRetrieverOptions {}

/**
 * BM25 passage search on OpenSearch with `@opensearch-project/opensearch` (an optional
 * dependency); same queries and index layout as {@link ElasticsearchRetriever}.
 */
export class OpenSearchRetriever extends SearchEngineRetriever {
  /** Creates the client (no request is sent until the first search). */
  static async connect(options: OpenSearchRetrieverOptions = {}): Promise<OpenSearchRetriever> {
    return new OpenSearchRetriever(await createOpenSearchAdapter(options), options);
  }
}
