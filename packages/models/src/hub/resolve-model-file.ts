import { TrlError } from '@trl/core';
import {
  lookupCachedFile,
  recordAbsentFile,
  recordRevision,
  repoCache,
  snapshotFilePath,
  snapshotIdFor,
} from './cache-layout';
import { downloadToFile } from './download';
import { isOfflineMode, resolveCacheDir, resolveEndpoint, resolveToken } from './hub-settings';
import {
  assertValidFilename,
  assertValidRevision,
  expandHome,
  isLocalPath,
  resolveLocalFile,
} from './local-files';
import { assertValidRepoId } from './repo-id';

/** Where and how to look for a model file. */
export interface ResolveModelFileOptions {
  /** Branch, tag or commit hash on the hub. Default `main`. Ignored for local directories. */
  revision?: string;
  /** Cache root. Default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Hub base URL. Default `HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string;
  /** Access token for private or gated repos. Default `HF_TOKEN`. */
  token?: string;
  /** When false, a missing file resolves to `undefined` instead of throwing. Default true. */
  required?: boolean;
  /** Aborts a download in progress. */
  signal?: AbortSignal;
}

/**
 * Returns a local path to `filename` from a model directory or a Hugging Face hub repo.
 *
 * An existing directory is used as is. Otherwise `pathOrRepoId` is a repo id: the file is taken from
 * the cache when present (no request at all), else downloaded from `{endpoint}/{repo}/resolve/{revision}/{filename}`
 * into the cache. With `HF_HUB_OFFLINE=1` no request is ever made.
 *
 * A required file (the default) always resolves to a path or throws.
 */
export function resolveModelFile(
  pathOrRepoId: string,
  filename: string,
  options?: ResolveModelFileOptions & { required?: true },
): Promise<string>;
/** With `required: false`, a file missing from the directory or repo resolves to `undefined`. */
export function resolveModelFile(
  pathOrRepoId: string,
  filename: string,
  options?: ResolveModelFileOptions,
): Promise<string | undefined>;
export async function resolveModelFile(
  pathOrRepoId: string,
  filename: string,
  options: ResolveModelFileOptions = {},
): Promise<string | undefined> {
  assertValidFilename(filename);
  const required = options.required ?? true;
  if (isLocalPath(pathOrRepoId)) return resolveLocalFile(expandHome(pathOrRepoId), filename, required);

  assertValidRepoId(pathOrRepoId);
  const revision = options.revision ?? 'main';
  assertValidRevision(revision);
  const cache = repoCache(resolveCacheDir(options.cacheDir), pathOrRepoId);
  const cached = lookupCachedFile(cache, revision, filename);
  if (cached.kind === 'file') return cached.path;
  const where = `"${filename}" in repo "${pathOrRepoId}" at revision "${revision}"`;
  // A remembered absence spares optional lookups a request; a required file is asked for again.
  if (cached.kind === 'absent' && !required) return undefined;
  if (isOfflineMode()) {
    if (!required) return undefined;
    throw new TrlError(
      'file-not-found',
      `${capitalize(where)} is not cached in ${cache.repoDir} and offline mode is on (HF_HUB_OFFLINE=1), ` +
        'so it cannot be downloaded. Download it once with network access, or unset HF_HUB_OFFLINE.',
    );
  }

  const url = resolveUrl(resolveEndpoint(options.endpoint), pathOrRepoId, revision, filename);
  const result = await downloadToFile({
    url,
    destinationFor: (commitHash) => snapshotFilePath(cache, snapshotIdFor(revision, commitHash), filename),
    token: resolveToken(options.token),
    signal: options.signal,
    repoId: pathOrRepoId,
  });
  const snapshotId = snapshotIdFor(revision, result.commitHash);
  await recordRevision(cache, revision, snapshotId);
  if (result.kind === 'saved') return result.path;
  await recordAbsentFile(cache, snapshotId, filename);
  if (required) throw new TrlError('file-not-found', `The hub has no ${where} (HTTP 404 from ${url}).`);
  return undefined;
}

/** `{endpoint}/{repo}/resolve/{revision}/{filename}`, each piece URL-encoded as the hub expects. */
export function resolveUrl(endpoint: string, repoId: string, revision: string, filename: string): string {
  const encodedFile = filename.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${encodedFile}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
