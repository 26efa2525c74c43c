/**
 * @trl/tools-wiki: the `WikiSearch` tool (TRL's wiki tool) over pluggable BM25 passage
 * retrievers — SQLite FTS5, MiniSearch (pure JS), Elasticsearch and OpenSearch.
 */

export type { BuildIndexOptions, BuildIndexResult } from './build-index';
export { buildIndex } from './build-index';
export type { CorpusRow } from './corpus-reader';
export { readCorpusPassages, readCorpusRows, rowPassages } from './corpus-reader';
export type { CreateRetrieverOptions } from './create-retriever';
export { createRetriever, isSqliteAvailable } from './create-retriever';
export type { ElasticsearchClientLike, ElasticsearchConnection } from './elasticsearch-adapter';
export type { ElasticsearchRetrieverOptions } from './elasticsearch-retriever';
export { ElasticsearchRetriever } from './elasticsearch-retriever';
export type { FormatOptions } from './format-passages';
export { formatPassages, truncate } from './format-passages';
export type { CliOutput } from './index-cli';
export { runIndexCli } from './index-cli';
export { DISABLE_SQLITE_ENV } from './load-better-sqlite3';
export type { MiniSearchRetrieverOptions } from './minisearch-retriever';
export { MiniSearchRetriever } from './minisearch-retriever';
export type {
  OpenSearchClientLike,
  OpenSearchConnection,
  OpenSearchResponseLike,
} from './opensearch-adapter';
export type { OpenSearchRetrieverOptions } from './opensearch-retriever';
export { OpenSearchRetriever } from './opensearch-retriever';
export { splitParagraphs } from './paragraphs';
export type { Passage, PassageRecord } from './passage';
export { passageId } from './passage';
export { MAX_QUERY_CHARS, MAX_QUERY_TERMS, queryTerms, STOP_WORDS, toFts5Query } from './query-terms';
export type { Retriever, RetrieverKind, SearchOptions } from './retriever';
export type { SearchEngineAdapter } from './search-engine-adapter';
export { buildSearchBody, parseSearchResponse } from './search-engine-requests';
export type {
  IndexCorpusOptions,
  IndexCorpusResult,
  SearchEngineRetrieverOptions,
} from './search-engine-retriever';
export { SearchEngineRetriever } from './search-engine-retriever';
export { SqliteRetriever } from './sqlite-retriever';
export type { WikiSearchOptions } from './wiki-search';
export { WikiSearch } from './wiki-search';
