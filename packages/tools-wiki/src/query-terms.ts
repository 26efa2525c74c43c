/** Longest query text looked at; the rest is ignored (a model can emit pages of text). */
export const MAX_QUERY_CHARS = 2000;

/** Most distinct words kept from one query, so a huge query cannot make a huge OR expression. */
export const MAX_QUERY_TERMS = 32;

// A word starts with a letter, digit or private-use character and may continue with combining
// marks (accents written as separate code points). Everything else — punctuation, quotes, query
// operators' symbols, emoji, lone surrogates — separates words. This mirrors SQLite's unicode61
// tokenizer closely enough that every extracted word is something the index can contain.
const WORD = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*/gu;

/**
 * Words dropped from queries: the stop set of Lucene's English analyzer, which Pyserini's BM25
 * (behind TRL's wiki tool) applied too. In an OR query they match nearly every passage, adding
 * cost and noise but no ranking signal.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/**
 * Extracts the distinct words of a free-text query, lowercased, in order of first appearance,
 * without {@link STOP_WORDS} (unless the query has nothing else: "to be or not to be" keeps them all).
 * Every backend builds its query from these, so odd input (empty, punctuation only, `AND "`,
 * unpaired surrogates) is handled once, here.
 */
export function queryTerms(query: string): string[] {
  if (typeof query !== 'string') return [];
  const seen = new Set<string>();
  const content: string[] = [];
  for (const match of query.slice(0, MAX_QUERY_CHARS).matchAll(WORD)) {
    const term = match[0].toLowerCase();
    if (seen.has(term)) continue;
    seen.add(term);
    if (!STOP_WORDS.has(term)) content.push(term);
    if (content.length >= MAX_QUERY_TERMS) break;
  }
  return content.length > 0 ? content : [...seen].slice(0, MAX_QUERY_TERMS);
}

/**
 * An SQLite FTS5 MATCH expression that ORs the words of `query`, each as a quoted string (so
 * `AND`, `NEAR` or `col:` inside user text are plain words), or `undefined` if there are none.
 */
export function toFts5Query(query: string): string | undefined {
  const terms = queryTerms(query);
  if (terms.length === 0) return undefined;
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}
