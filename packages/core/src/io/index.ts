export { writeFileAtomic } from './atomic';
export { formatMetrics, formatMetricValue } from './format-metrics';
export {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ArrayToBfloat16Bits,
  float32ArrayToFloat16Bits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './half-float';
export { ProgressBar, type ProgressBarOptions } from './progress';
export * from './safetensors/index';
export {
  recoverStagedDirectories,
  recoverStagedDirectory,
  removeDirectorySafely,
  STAGED_WRITE_STEPS,
  type StagedDirectoryStatus,
  type StagedWriteHook,
  setStagedWriteHook,
  writeStagedDirectory,
} from './staged-directory';
export * from './tracker/index';
