export { type CsvOptions, loadCsv } from './csv';
export { Dataset, type DatasetSplits, type TrainTestSplitOptions } from './dataset';
export { loadJson } from './json';
export { type JsonRow, loadJsonl, streamJsonl } from './jsonl';
export {
  DATASET_FORMATS,
  type DatasetFormat,
  type LoadDatasetOptions,
  loadDataset,
} from './load-dataset';
export type { LoadOptions, OnBadRecord, SkippedRecord } from './load-options';
export { type PadTokenSource, resolvePadTokenId } from './pad-token-id';
export { loadParquet } from './parquet';
