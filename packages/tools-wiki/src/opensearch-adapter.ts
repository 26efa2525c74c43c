import { importOptional, type SearchEngineAdapter } from './search-engine-adapter';

/** A response of the `@opensearch-project/opensearch` client: the body is wrapped. */
export interface OpenSearchResponseLike {
  body: unknown;
}

/** The part of an `@opensearch-project/opensearch` 3 `Client` the retriever uses. */
export interface OpenSearchClientLike {
  search(params: { index: string; body: Record<string, unknown> }): Promise<OpenSearchResponseLike> & {
    abort?: () => void;
  };
  bulk(params: { body: Record<string, unknown>[] }): Promise<OpenSearchResponseLike>;
  indices: {
    exists(params: { index: string }): Promise<OpenSearchResponseLike>;
    create(params: { index: string; body: Record<string, unknown> }): Promise<unknown>;
    delete(params: { index: string }): Promise<unknown>;
    refresh(params: { index: string }): Promise<unknown>;
  };
  close(): Promise<void>;
}

/** How to reach OpenSearch: a node URL (plus client options), or a ready client. */
export interface OpenSearchConnection {
  /** Node URL. Default `http://localhost:9200`. Ignored when `client` is given. */
  node?: string;
  /** Extra `@opensearch-project/opensearch` `Client` options (auth, ssl, …). */
  clientOptions?: Record<string, unknown>;
  /** A configured client to use instead; the retriever then never closes it. */
  client?: OpenSearchClientLike;
}

type OpenSearchModule = { Client: new (options: Record<string, unknown>) => OpenSearchClientLike };

/** An adapter over `@opensearch-project/opensearch` (an optional dependency, imported on demand). */
export async function createOpenSearchAdapter(
  connection: OpenSearchConnection,
): Promise<SearchEngineAdapter> {
  const node = connection.node ?? 'http://localhost:9200';
  let client = connection.client;
  const ownsClient = client === undefined;
  if (client === undefined) {
    const { Client } = await importOptional<OpenSearchModule>(
      '@opensearch-project/opensearch',
      'OpenSearchRetriever',
      'npm install @opensearch-project/opensearch@3',
    );
    client = new Client({ node, ...connection.clientOptions });
  }
  const os = client;
  return {
    kind: 'opensearch',
    endpoint: connection.client ? 'the given OpenSearch client' : node,
    search: async (index, body, signal) => {
      const request = os.search({ index, body });
      // This client takes no AbortSignal; its request promise has abort() instead.
      const abort = () => request.abort?.();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        return (await request).body;
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    },
    indexExists: async (index) => (await os.indices.exists({ index })).body === true,
    createIndex: async (index, body) => {
      await os.indices.create({ index, body });
    },
    deleteIndex: async (index) => {
      await os.indices.delete({ index });
    },
    bulk: async (operations) => (await os.bulk({ body: operations })).body,
    refresh: async (index) => {
      await os.indices.refresh({ index });
    },
    close: async () => {
      if (ownsClient) await os.close();
    },
  };
}
