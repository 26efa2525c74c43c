import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSearchBody,
  ElasticsearchRetriever,
  OpenSearchRetriever,
  parseSearchResponse,
  type SearchEngineRetriever,
  WikiSearch,
} from '../src/index';
import { FIXTURE_CORPUS, fixtureRows, HOSTILE_QUERIES } from './helpers/corpus-files';
import { type FakeSearchServer, startFakeSearchServer } from './helpers/fake-search-server';

const rows = fixtureRows();
const passageCount = rows.reduce((sum, row) => sum + row.text.split('\n\n').length, 0);
const signal = new AbortController().signal;

describe('search request and response', () => {
  it('builds a title-boosted BM25 multi_match over the query words', () => {
    expect(buildSearchBody('Who is "Zorvath" AND Kell?', 3, 2)).toEqual({
      size: 3,
      query: {
        multi_match: {
          query: 'who zorvath kell',
          type: 'most_fields',
          fields: ['title^2', 'text'],
          operator: 'or',
        },
      },
      _source: ['title', 'text'],
    });
    expect(buildSearchBody('?!', 3, 2)).toBeUndefined();
  });

  it('parses hits and rejects other shapes clearly', () => {
    expect(
      parseSearchResponse({
        hits: { hits: [{ _id: 'a#0', _score: 1.5, _source: { title: 'A', text: 't' } }] },
      }),
    ).toEqual([{ id: 'a#0', title: 'A', text: 't', score: 1.5 }]);
    expect(() => parseSearchResponse({ hits: {} })).toThrow("unexpected search response: 'hits.hits'");
  });
});

const engines = [
  {
    product: 'elasticsearch' as const,
    connect: (node: string) => ElasticsearchRetriever.connect({ node, clientOptions: { maxRetries: 0 } }),
  },
  {
    product: 'opensearch' as const,
    connect: (node: string) => OpenSearchRetriever.connect({ node, clientOptions: { maxRetries: 0 } }),
  },
];

describe.each(engines)('$product retriever against a loopback server', ({ product, connect }) => {
  let server: FakeSearchServer;
  let retriever: SearchEngineRetriever;

  beforeAll(async () => {
    server = await startFakeSearchServer({ product });
    retriever = await connect(server.url);
  });
  afterAll(async () => {
    await retriever.close();
    await server.close();
  });

  it('bulk-indexes the corpus into a new index, one document per paragraph', async () => {
    const result = await retriever.indexCorpus(FIXTURE_CORPUS, { batchSize: 500 });
    expect(result).toEqual({ articles: 500, passages: passageCount });
    expect(server.indices.get('wiki')?.size).toBe(passageCount);
    const calls = server.requests.map((r) => `${r.method} ${r.path}`);
    // Articles are added whole: a batch is flushed once it holds 500 or more paragraphs.
    let bulkCalls = 0;
    let pending = 0;
    for (const row of rows) {
      pending += row.text.split('\n\n').length;
      if (pending >= 500) [bulkCalls, pending] = [bulkCalls + 1, 0];
    }
    if (pending > 0) bulkCalls += 1;
    expect(calls.filter((c) => c === 'POST /_bulk')).toHaveLength(bulkCalls);
    const firstBulk = server.requests
      .find((r) => r.path === '/_bulk')!
      .body.trim()
      .split('\n');
    expect(firstBulk.length).toBeGreaterThanOrEqual(1000);
    expect(calls.slice(0, 2)).toEqual(['HEAD /wiki', 'PUT /wiki']);
    expect(calls.at(-1)).toMatch(/^(GET|POST) \/wiki\/_refresh$/);
    const created = JSON.parse(server.requests[1]!.body) as {
      mappings: { properties: Record<string, unknown> };
    };
    expect(created.mappings.properties.title).toEqual({ type: 'text' });
    const first = rows[0]!;
    expect(server.indices.get('wiki')?.get(`${first.id}#0`)).toEqual({
      title: first.title,
      text: first.text.split('\n\n')[0],
      article_id: first.id,
    });
  });

  it('sends the multi_match search and maps hits to passages', async () => {
    server.requests.length = 0;
    const river = rows.find((row) => row.text.includes('is a river in'))!;
    const passages = await retriever.search(`length of ${river.title}`, 2);
    expect(passages).toHaveLength(2);
    expect(passages[0]!.id).toBe(`${river.id}#0`);
    expect(passages[0]!.score).toBeGreaterThan(passages[1]!.score);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(`${request.method} ${request.path}`).toBe('POST /wiki/_search');
    expect(JSON.parse(request.body)).toEqual(buildSearchBody(`length of ${river.title}`, 2, 2));
    if (product === 'elasticsearch') {
      expect(request.headers['content-type']).toBe('application/vnd.elasticsearch+json; compatible-with=9');
    }
  });

  it('sends nothing for a word-less query and survives hostile ones', async () => {
    server.requests.length = 0;
    expect(await retriever.search('"()', 1)).toEqual([]);
    expect(server.requests).toHaveLength(0);
    for (const query of HOSTILE_QUERIES) expect(Array.isArray(await retriever.search(query, 1))).toBe(true);
    const title = rows[42]!.title;
    expect((await retriever.search(title, 1))[0]?.title).toBe(title);
  });

  it('serves the WikiSearch tool', async () => {
    const tool = new WikiSearch({ retriever, closeRetriever: false });
    const row = rows[7]!;
    expect(await tool.call(row.title, { signal })).toMatch(new RegExp(`^${row.title}\\n`));
  });

  it('wraps a missing index into an error naming the index and endpoint', async () => {
    const other = await (product === 'elasticsearch'
      ? ElasticsearchRetriever.connect({
          node: server.url,
          index: 'absent',
          clientOptions: { maxRetries: 0 },
        })
      : OpenSearchRetriever.connect({ node: server.url, index: 'absent', clientOptions: { maxRetries: 0 } }));
    await expect(other.search('alpha', 1)).rejects.toThrow(
      new RegExp(`^${product} search on index 'absent' at ${server.url} failed: .*index_not_found_exception`),
    );
    await other.close();
  });

  it('rejects an already aborted search without a request', async () => {
    server.requests.length = 0;
    const controller = new AbortController();
    controller.abort();
    await expect(retriever.search('alpha', 1, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(server.requests).toHaveLength(0);
  });
});

describe('Elasticsearch client specifics', () => {
  it('surfaces the product check when the server is not Elasticsearch', async () => {
    const server = await startFakeSearchServer({ product: 'elasticsearch', omitProductHeader: true });
    // The client checks the header on successful responses only, so the index must exist.
    server.indices.set('wiki', new Map());
    const retriever = await ElasticsearchRetriever.connect({
      node: server.url,
      clientOptions: { maxRetries: 0 },
    });
    await expect(retriever.search('alpha', 1)).rejects.toThrow(/failed: .*not Elasticsearch/);
    await retriever.close();
    await server.close();
  });

  it('names the endpoint when nothing listens there', async () => {
    const server = await startFakeSearchServer({ product: 'elasticsearch' });
    const url = server.url;
    await server.close();
    const retriever = await ElasticsearchRetriever.connect({ node: url, clientOptions: { maxRetries: 0 } });
    await expect(retriever.search('alpha', 1)).rejects.toThrow(
      `elasticsearch search on index 'wiki' at ${url} failed`,
    );
    await retriever.close();
    await expect(retriever.search('alpha', 1)).rejects.toThrow(
      "elasticsearch retriever for index 'wiki' is closed",
    );
  });

  it('validates the index name and boost', async () => {
    await expect(ElasticsearchRetriever.connect({ index: 'Bad Name' })).rejects.toThrow("option 'index'");
    await expect(ElasticsearchRetriever.connect({ titleBoost: 0 })).rejects.toThrow("option 'titleBoost'");
  });
});
