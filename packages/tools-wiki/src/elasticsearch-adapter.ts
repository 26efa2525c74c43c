import { importOptional, type SearchEngineAdapter } from './search-engine-adapter';

/** The part of an `@elastic/elasticsearch` 9 `Client` the retriever uses. */
export interface ElasticsearchClientLike {
  search(params: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
  bulk(params: { operations: Record<string, unknown>[] }): Promise<unknown>;
  indices: {
    exists(params: { index: string }): Promise<boolean>;
    create(params: Record<string, unknown>): Promise<unknown>;
    delete(params: { index: string }): Promise<unknown>;
    refresh(params: { index: string }): Promise<unknown>;
  };
  close(): Promise<void>;
}

/** How to reach Elasticsearch: a node URL (plus client options), or a ready client. */
export interface ElasticsearchConnection {
  /** Node URL. Default `http://localhost:9200`. Ignored when `client` is given. */
  node?: string;
  /** Extra `@elastic/elasticsearch` `Client` options (auth, tls, requestTimeout, …). */
  clientOptions?: Record<string, unknown>;
  /** A configured client to use instead; the retriever then never closes it. */
  client?: ElasticsearchClientLike;
}

type ElasticsearchModule = { Client: new (options: Record<string, unknown>) => ElasticsearchClientLike };

/** An adapter over `@elastic/elasticsearch` (an optional dependency, imported on demand). */
export async function createElasticsearchAdapter(
  connection: ElasticsearchConnection,
): Promise<SearchEngineAdapter> {
  const node = connection.node ?? 'http://localhost:9200';
  let client = connection.client;
  const ownsClient = client === undefined;
  if (client === undefined) {
    const { Client } = await importOptional<ElasticsearchModule>(
      '@elastic/elasticsearch',
      'ElasticsearchRetriever',
      'npm install @elastic/elasticsearch@9',
    );
    client = new Client({ node, ...connection.clientOptions });
  }
  const es = client;
  return {
    kind: 'elasticsearch',
    endpoint: connection.client ? 'the given Elasticsearch client' : node,
    search: (index, body, signal) => es.search({ index, ...body }, signal ? { signal } : {}),
    indexExists: (index) => es.indices.exists({ index }),
    createIndex: async (index, body) => {
      await es.indices.create({ index, ...body });
    },
    deleteIndex: async (index) => {
      await es.indices.delete({ index });
    },
    bulk: (operations) => es.bulk({ operations }),
    refresh: async (index) => {
      await es.indices.refresh({ index });
    },
    close: async () => {
      if (ownsClient) await es.close();
    },
  };
}
