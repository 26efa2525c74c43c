export {
  DEFAULT_HUB_ENDPOINT,
  isOfflineMode,
  resolveCacheDir,
  resolveEndpoint,
  resolveToken,
} from './hub-settings';
export { assertValidRepoId } from './repo-id';
export type { ResolveModelFileOptions } from './resolve-model-file';
export { resolveModelFile, resolveUrl } from './resolve-model-file';
