/**
 * @trl/tools-wiki: the `WikiSearch` tool (TRL's wiki tool) over pluggable BM25 passage
 * retrievers — SQLite FTS5, MiniSearch (pure JS), Elasticsearch and OpenSearch.
 */
export { WikiSearch } from './wiki-search';
export type { WikiSearchOptions } from './wiki-search';
export type { Retriever, RetrieverKind, SearchOptions } from './retriever';
export type { Passage, PassageRecord } from './passage';
export { passageId } from './passage';
export { createRetriever, isSqliteAvailable } from './create-retriever';
export type { CreateRetrieverOptions } from './create-retriever';
export { SqliteRetriever } from './sqlite-retriever';
export { buildIndex } from './build-index';
export type { BuildIndexOptions, BuildIndexResult } from './build-index';
export { MiniSearchRetriever } from './minisearch-retriever';
export type { MiniSearchRetrieverOptions } from './minisearch-retriever';
export { SearchEngineRetriever } from './search-engine-retriever';
export type { IndexCorpusOptions, IndexCorpusResult, SearchEngineRetrieverOptions } from './search-engine-retriever';
export { ElasticsearchRetriever } from './elasticsearch-retriever';
export type { ElasticsearchRetrieverOptions } from './elasticsearch-retriever';
export type { ElasticsearchClientLike, ElasticsearchConnection } from './elasticsearch-adapter';
export { OpenSearchRetriever } from './opensearch-retriever';
export type { OpenSearchRetrieverOptions } from './opensearch-retriever';
export type { OpenSearchClientLike, OpenSearchConnection, OpenSearchResponseLike } from './opensearch-adapter';
export type { SearchEngineAdapter } from './search-engine-adapter';
export { buildSearchBody, parseSearchResponse } from './search-engine-requests';
export { readCorpusPassages, readCorpusRows, rowPassages } from './corpus-reader';
export type { CorpusRow } from './corpus-reader';
export { splitParagraphs } from './paragraphs';
export { MAX_QUERY_CHARS, MAX_QUERY_TERMS, queryTerms, toFts5Query } from './query-terms';
export { formatPassages, truncate } from './format-passages';
export type { FormatOptions } from './format-passages';
export { runIndexCli } from './index-cli';
export type { CliOutput } from './index-cli';
export { DISABLE_SQLITE_ENV } from './load-better-sqlite3';
