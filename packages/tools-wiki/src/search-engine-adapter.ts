/**
 * The few REST calls the Elasticsearch and OpenSearch retrievers need, so one retriever class
 * serves both clients (whose method signatures and response wrappers differ).
 */
export interface SearchEngineAdapter {
  /** `elasticsearch` or `opensearch`. */
  readonly kind: 'elasticsearch' | 'opensearch';
  /** Where requests go, for error messages. */
  readonly endpoint: string;
  /** `POST /<index>/_search`; resolves to the response body. */
  search(index: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** `HEAD /<index>`. */
  indexExists(index: string): Promise<boolean>;
  /** `PUT /<index>` with mappings. */
  createIndex(index: string, body: Record<string, unknown>): Promise<void>;
  /** `DELETE /<index>`. */
  deleteIndex(index: string): Promise<void>;
  /** `POST /_bulk`; resolves to the response body. */
  bulk(operations: Record<string, unknown>[]): Promise<unknown>;
  /** `POST /<index>/_refresh`, making indexed documents searchable. */
  refresh(index: string): Promise<void>;
  /** Closes the client's connections if this adapter created the client. */
  close(): Promise<void>;
}

/** Imports an optional dependency, or throws an Error saying how to install it. */
export async function importOptional<T>(moduleName: string, user: string, installHint: string): Promise<T> {
  try {
    return (await import(moduleName)) as T;
  } catch (error) {
    throw new Error(
      `${user} needs the optional dependency ${moduleName} (${(error as Error).message}); install it with: ${installHint}`,
    );
  }
}
