import { z } from 'zod';
import type { Passage, PassageRecord } from './passage';
import { queryTerms } from './query-terms';

/**
 * Index settings shared by Elasticsearch and OpenSearch: `title` and `text` are analysed text
 * fields scored with the engines' default similarity (BM25, k1 = 1.2, b = 0.75).
 */
export const INDEX_BODY = {
  mappings: {
    properties: {
      title: { type: 'text' },
      text: { type: 'text' },
      article_id: { type: 'keyword' },
    },
  },
} as const;

/** The `_search` request body for `query`, or `undefined` when the query has no words. */
export function buildSearchBody(
  query: string,
  k: number,
  titleBoost: number,
): Record<string, unknown> | undefined {
  const terms = queryTerms(query);
  if (terms.length === 0) return undefined;
  return {
    size: k,
    query: {
      multi_match: {
        query: terms.join(' '),
        // most_fields adds the title and text scores, like the SQLite index's weighted BM25 sum.
        type: 'most_fields',
        fields: [`title^${titleBoost}`, 'text'],
        operator: 'or',
      },
    },
    _source: ['title', 'text'],
  };
}

const searchResponseSchema = z.object({
  hits: z.object({
    hits: z.array(
      z.object({
        _id: z.string(),
        _score: z.number().nullable().optional(),
        _source: z.object({ title: z.string(), text: z.string() }),
      }),
    ),
  }),
});

/** The passages of a `_search` response; throws an Error quoting the problem if it has another shape. */
export function parseSearchResponse(body: unknown): Passage[] {
  const parsed = searchResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`unexpected search response: '${issue.path.join('.')}': ${issue.message}`);
  }
  return parsed.data.hits.hits.map((hit) => ({
    id: hit._id,
    title: hit._source.title,
    text: hit._source.text,
    score: hit._score ?? 0,
  }));
}

/** `_bulk` operations (action line, document line, …) indexing `passages` into `index` by id. */
export function bulkOperations(index: string, passages: readonly PassageRecord[]): Record<string, unknown>[] {
  return passages.flatMap((passage) => [
    { index: { _index: index, _id: passage.id } },
    { title: passage.title, text: passage.text, article_id: passage.articleId },
  ]);
}

const bulkResponseSchema = z.object({
  errors: z.boolean(),
  items: z.array(z.record(z.string(), z.object({ error: z.unknown().optional() }).passthrough())).optional(),
});

/** Throws an Error quoting the first failed item if a `_bulk` response reports errors. */
export function assertBulkSucceeded(body: unknown): void {
  const parsed = bulkResponseSchema.safeParse(body);
  if (!parsed.success) throw new Error('unexpected bulk response: no boolean `errors` field');
  if (!parsed.data.errors) return;
  const failed = parsed.data.items?.flatMap((item) => Object.values(item)).find((result) => result.error);
  throw new Error(`bulk indexing failed: ${JSON.stringify(failed?.error ?? 'unknown error')}`);
}
