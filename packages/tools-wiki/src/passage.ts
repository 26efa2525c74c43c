/** One retrieved paragraph of an article. */
export interface Passage {
  /** Stable id: the article id, `#`, and the paragraph's 0-based index (`"42#0"` is article 42's first paragraph). */
  readonly id: string;
  /** Title of the article the paragraph belongs to. */
  readonly title: string;
  /** The paragraph text. */
  readonly text: string;
  /** Relevance from the retriever's BM25 variant; higher is better. Comparable only within one result list. */
  readonly score: number;
}

/** A paragraph ready to be indexed: a {@link Passage} without a score, plus its article id. */
export interface PassageRecord {
  /** See {@link Passage.id}. */
  readonly id: string;
  /** Id of the corpus row (article) the paragraph comes from. */
  readonly articleId: string;
  /** See {@link Passage.title}. */
  readonly title: string;
  /** See {@link Passage.text}. */
  readonly text: string;
}

/** Builds the {@link Passage.id} of paragraph `paragraphIndex` of article `articleId`. */
export function passageId(articleId: string, paragraphIndex: number): string {
  return `${articleId}#${paragraphIndex}`;
}
