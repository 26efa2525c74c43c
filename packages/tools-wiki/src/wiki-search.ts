import { parseOptions, type Tool, type ToolCallOptions } from '@trl/spec';
import { z } from 'zod';
import { formatPassages, truncate } from './format-passages';
import { queryTerms } from './query-terms';
import type { Retriever } from './retriever';

/** Options of the {@link WikiSearch} tool. */
export interface WikiSearchOptions {
  /** Where passages come from (see {@link createRetriever}). */
  retriever: Retriever;
  /** Passages returned per call. Default 1, as TRL's wiki tool returned the top hit. */
  k?: number;
  /** Longest paragraph text kept per passage, in characters. Default 600, TRL's TriviaQA cut. */
  maxChars?: number;
  /** Write the article title above each paragraph. Default true. */
  includeTitle?: boolean;
  /** Tool name the model writes, e.g. `<request><Wiki>`. Default `Wiki`, as in TRL's TriviaQA prompt. */
  name?: string;
  /** Close the retriever when the tool is closed. Default true. */
  closeRetriever?: boolean;
}

const optionsSchema = z.object({
  retriever: z.custom<Retriever>(
    (value) => typeof (value as Retriever | undefined)?.search === 'function',
    'must be a Retriever (an object with search(query, k) and close())',
  ),
  k: z.number().int().min(1).max(100).default(1),
  maxChars: z.number().int().min(1).default(600),
  includeTitle: z.boolean().default(true),
  name: z
    .string()
    .regex(/^[^\s<>]+$/, 'must be non-empty without whitespace, < or >')
    .default('Wiki'),
  closeRetriever: z.boolean().default(true),
});

/**
 * The wiki search tool: BM25 over a passage index, answering with the best paragraph as
 * `Title\nparagraph` (TRL's TriviaQA example used a Wikipedia BM25 index the same way). A query
 * without words or without matches gets a short explanatory text, so the model can retry; only
 * infrastructure failures (e.g. Elasticsearch down) throw.
 */
export class WikiSearch implements Tool {
  /** Spec version this tool implements. */
  readonly specificationVersion = 'v1' as const;
  /** The name the model writes between the request tokens. */
  readonly name: string;
  /** Shown to the model and in docs. */
  readonly description =
    'Searches an encyclopedia and returns the best matching paragraph with its article title. Input: a few keywords, e.g. a name.';
  private readonly retriever: Retriever;
  private readonly settings: z.infer<typeof optionsSchema>;
  private closed = false;

  /** Throws a TrlConfigError naming the field if an option is invalid or unknown. */
  constructor(options: WikiSearchOptions) {
    this.settings = parseOptions('WikiSearch', optionsSchema, options);
    this.retriever = this.settings.retriever;
    this.name = this.settings.name;
  }

  /** Searches for `input` and returns the formatted top passages. */
  async call(input: string, options?: ToolCallOptions): Promise<string> {
    if (this.closed) throw new Error(`WikiSearch tool '${this.name}' is closed`);
    const terms = queryTerms(input);
    if (terms.length === 0) {
      return 'Error: empty query; write a few words to search for, e.g. a name or a topic.';
    }
    const passages = await this.retriever.search(
      input,
      this.settings.k,
      options?.signal ? { signal: options.signal } : {},
    );
    if (passages.length === 0) return `No results for "${truncate(terms.join(' '), 100)}".`;
    return formatPassages(passages, this.settings);
  }

  /** Closes the retriever unless `closeRetriever` was false. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.settings.closeRetriever) await this.retriever.close();
  }
}
