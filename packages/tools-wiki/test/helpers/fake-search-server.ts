import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Options of {@link startFakeSearchServer}. */
export interface FakeSearchServerOptions {
  /** Which product to impersonate; Elasticsearch responses carry `x-elastic-product`. */
  product: 'elasticsearch' | 'opensearch';
  /** Leave out `x-elastic-product` to trigger the Elasticsearch client's product check. */
  omitProductHeader?: boolean;
}

/** A running fake server. */
export interface FakeSearchServer {
  url: string;
  requests: RecordedRequest[];
  /** index name → document id → source. */
  indices: Map<string, Map<string, Record<string, unknown>>>;
  close(): Promise<void>;
}

type Source = Record<string, unknown>;

/**
 * A loopback HTTP server (127.0.0.1, random port) speaking the subset of the Elasticsearch /
 * OpenSearch REST API the retrievers use: HEAD/PUT/DELETE index, _bulk (NDJSON), _refresh and
 * _search with a `multi_match` query scored by Lucene's BM25 per field (k1 = 1.2, b = 0.75),
 * summed over fields with their boosts (the `most_fields` type). Responses have the real shapes.
 */
export async function startFakeSearchServer(options: FakeSearchServerOptions): Promise<FakeSearchServer> {
  const requests: RecordedRequest[] = [];
  const indices = new Map<string, Map<string, Source>>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
      const [status, payload] = route(request.method ?? 'GET', path, body, indices);
      send(response, status, request.method === 'HEAD' ? undefined : payload, options);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    indices,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(
  response: ServerResponse,
  status: number,
  payload: unknown,
  options: FakeSearchServerOptions,
): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=UTF-8');
  if (options.product === 'elasticsearch' && !options.omitProductHeader) {
    response.setHeader('x-elastic-product', 'Elasticsearch');
  }
  response.end(payload === undefined ? undefined : JSON.stringify(payload));
}

function route(
  method: string,
  path: string,
  body: string,
  indices: Map<string, Map<string, Source>>,
): [number, unknown] {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 1 && parts[0] === '_bulk' && method === 'POST') return bulk(body, undefined, indices);
  const [index, action] = parts as [string, string | undefined];
  if (index === undefined)
    return [200, { name: 'fake', version: { number: '9.4.0' }, tagline: 'You Know, for Search' }];
  const documents = indices.get(index);
  if (action === undefined) {
    if (method === 'HEAD') return [documents ? 200 : 404, undefined];
    if (method === 'PUT') {
      if (documents)
        return error(400, 'resource_already_exists_exception', `index [${index}] already exists`, index);
      indices.set(index, new Map());
      return [200, { acknowledged: true, shards_acknowledged: true, index }];
    }
    if (method === 'DELETE') {
      if (!documents) return error(404, 'index_not_found_exception', `no such index [${index}]`, index);
      indices.delete(index);
      return [200, { acknowledged: true }];
    }
  }
  if (action === '_bulk') return bulk(body, index, indices);
  if (!documents) return error(404, 'index_not_found_exception', `no such index [${index}]`, index);
  if (action === '_refresh') return [200, { _shards: { total: 1, successful: 1, failed: 0 } }];
  if (action === '_search') return [200, search(index, documents, JSON.parse(body || '{}'))];
  return error(400, 'illegal_argument_exception', `unsupported ${method} ${path}`, index);
}

function error(status: number, type: string, reason: string, index: string): [number, unknown] {
  const cause = { type, reason, index };
  return [status, { error: { root_cause: [cause], ...cause }, status }];
}

function bulk(
  body: string,
  defaultIndex: string | undefined,
  indices: Map<string, Map<string, Source>>,
): [number, unknown] {
  const lines = body.split('\n').filter((line) => line.trim().length > 0);
  const items: unknown[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i]!) as { index: { _index?: string; _id: string } };
    const index = action.index._index ?? defaultIndex!;
    if (!indices.has(index)) indices.set(index, new Map());
    indices.get(index)!.set(action.index._id, JSON.parse(lines[i + 1]!) as Source);
    items.push({
      index: { _index: index, _id: action.index._id, _version: 1, result: 'created', status: 201 },
    });
  }
  return [200, { took: 3, errors: false, items }];
}

const tokenize = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

function search(index: string, documents: Map<string, Source>, request: Record<string, unknown>): unknown {
  const query = (request.query as { multi_match?: { query: string; fields: string[] } } | undefined)
    ?.multi_match;
  const size = typeof request.size === 'number' ? request.size : 10;
  const terms = [...new Set(tokenize(query?.query ?? ''))];
  const fields = (query?.fields ?? []).map((spec) => {
    const [name, boost] = spec.split('^') as [string, string | undefined];
    return { name, boost: boost === undefined ? 1 : Number(boost) };
  });
  const entries = [...documents.entries()].map(([id, source]) => ({
    id,
    source,
    tokens: Object.fromEntries(fields.map(({ name }) => [name, tokenize(String(source[name] ?? ''))])),
  }));
  const stats = new Map(
    fields.map(({ name }) => {
      const avgLength =
        entries.reduce((sum, e) => sum + e.tokens[name]!.length, 0) / Math.max(entries.length, 1);
      const df = new Map(
        terms.map((term) => [term, entries.filter((e) => e.tokens[name]!.includes(term)).length]),
      );
      return [name, { avgLength, df }];
    }),
  );
  const scored = entries
    .map((entry) => {
      let score = 0;
      for (const { name, boost } of fields) {
        const tokens = entry.tokens[name]!;
        const { avgLength, df } = stats.get(name)!;
        for (const term of terms) {
          const tf = tokens.filter((token) => token === term).length;
          if (tf === 0) continue;
          const n = df.get(term)!;
          const idf = Math.log(1 + (entries.length - n + 0.5) / (n + 0.5));
          score += boost * idf * ((tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * tokens.length) / avgLength)));
        }
      }
      return { ...entry, score };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const hits = scored.slice(0, size).map((entry) => ({
    _index: index,
    _id: entry.id,
    _score: entry.score,
    _source: Object.fromEntries(
      ((request._source as string[] | undefined) ?? Object.keys(entry.source)).map((key) => [
        key,
        entry.source[key],
      ]),
    ),
  }));
  return {
    took: 2,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: { total: { value: scored.length, relation: 'eq' }, max_score: hits[0]?._score ?? null, hits },
  };
}
