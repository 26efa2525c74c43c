import { TrlError } from '@trl/spec';
import MiniSearch from 'minisearch';
import { readCorpusPassages } from './corpus-reader';
import type { Passage, PassageRecord } from './passage';
import { queryTerms } from './query-terms';
import { assertValidK, type Retriever, type SearchOptions } from './retriever';

/** Options of {@link MiniSearchRetriever}. */
export interface MiniSearchRetrieverOptions {
  /** Boost of title matches relative to text matches, like the SQLite index's title weight. Default 2. */
  titleBoost?: number;
}

type StoredFields = { title: string; text: string };

/**
 * Pure-JavaScript passage search with MiniSearch (BM25+ scoring), held in memory. The fallback
 * when better-sqlite3 cannot be loaded, and handy for small corpora and tests: nothing to build,
 * nothing native. It reads the same JSONL corpus the SQLite index is built from, so passage ids
 * and texts match; scores differ slightly (BM25+ instead of BM25).
 */
export class MiniSearchRetriever implements Retriever {
  /** Always `minisearch`. */
  readonly kind = 'minisearch';
  private index: MiniSearch<PassageRecord> | undefined;
  private readonly titleBoost: number;

  /** An empty index; add passages with {@link add}, or use {@link fromJsonl} / {@link fromPassages}. */
  constructor(options: MiniSearchRetrieverOptions = {}) {
    const titleBoost = options.titleBoost ?? 2;
    if (!(titleBoost > 0) || !Number.isFinite(titleBoost)) {
      throw new TrlError(
        'invalid-value',
        `MiniSearchRetriever option 'titleBoost' must be a positive number, got ${titleBoost}`,
      );
    }
    this.titleBoost = titleBoost;
    this.index = new MiniSearch<PassageRecord>({
      fields: ['title', 'text'],
      storeFields: ['title', 'text'],
    });
  }

  /** Streams a JSONL corpus (`{"id", "title", "text"}` per line) into a new in-memory index. */
  static async fromJsonl(
    path: string,
    options: MiniSearchRetrieverOptions = {},
  ): Promise<MiniSearchRetriever> {
    const retriever = new MiniSearchRetriever(options);
    let batch: PassageRecord[] = [];
    for await (const passage of readCorpusPassages(path)) {
      batch.push(passage);
      if (batch.length >= 1000) {
        retriever.add(batch);
        batch = [];
      }
    }
    retriever.add(batch);
    return retriever;
  }

  /** A new in-memory index over the given passages. */
  static fromPassages(
    passages: Iterable<PassageRecord>,
    options: MiniSearchRetrieverOptions = {},
  ): MiniSearchRetriever {
    const retriever = new MiniSearchRetriever(options);
    retriever.add([...passages]);
    return retriever;
  }

  /** Adds passages; ids must be unique. */
  add(passages: readonly PassageRecord[]): void {
    this.openIndex().addAll(passages);
  }

  /** Number of passages in the index. */
  count(): number {
    return this.openIndex().documentCount;
  }

  /** The `k` best passages by title-boosted BM25+; an empty or word-less query returns `[]`. */
  async search(query: string, k: number, options: SearchOptions = {}): Promise<Passage[]> {
    assertValidK(k);
    const index = this.openIndex();
    options.signal?.throwIfAborted();
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const results = index.search(terms.join(' '), {
      boost: { title: this.titleBoost },
      combineWith: 'OR',
      prefix: false,
      fuzzy: false,
    });
    return results.slice(0, k).map((result) => {
      const stored = result as unknown as StoredFields;
      return { id: String(result.id), title: stored.title, text: stored.text, score: result.score };
    });
  }

  /** Drops the index. Idempotent. */
  async close(): Promise<void> {
    this.index = undefined;
  }

  private openIndex(): MiniSearch<PassageRecord> {
    if (this.index === undefined) throw new Error('MiniSearchRetriever is closed');
    return this.index;
  }
}
