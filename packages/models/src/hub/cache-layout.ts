import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@trl/core';

/**
 * The on-disk cache mirrors huggingface_hub's layout so a cache filled by Python is reused here and
 * vice versa: `models--owner--name/refs/<revision>` holds the commit a branch pointed to,
 * `snapshots/<commit>/<file>` holds the file, and `.no_exist/<commit>/<file>` remembers that an
 * optional file is absent, so repeated loads make no requests at all.
 */
export interface RepoCache {
  /** `<cacheDir>/models--owner--name`. */
  readonly repoDir: string;
}

/** What the cache knows about one file. */
export type CachedFileLookup =
  /** The file is cached at `path`. */
  | { readonly kind: 'file'; readonly path: string }
  /** The hub said the file does not exist at this revision. */
  | { readonly kind: 'absent' }
  /** Nothing is known; the hub must be asked. */
  | { readonly kind: 'unknown' };

const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** The cache folder of a model repo under `cacheDir`. */
export function repoCache(cacheDir: string, repoId: string): RepoCache {
  return { repoDir: join(cacheDir, `models--${repoId.split('/').join('--')}`) };
}

/** Looks `filename` up in the cache for `revision` (a branch, tag or commit hash). */
export function lookupCachedFile(cache: RepoCache, revision: string, filename: string): CachedFileLookup {
  for (const snapshot of snapshotCandidates(cache, revision)) {
    const path = join(cache.repoDir, 'snapshots', snapshot, filename);
    if (existsSync(path)) return { kind: 'file', path };
    if (existsSync(join(cache.repoDir, '.no_exist', snapshot, filename))) return { kind: 'absent' };
  }
  return { kind: 'unknown' };
}

/**
 * The snapshot folder a download for `revision` goes into: the commit the hub reported, else the
 * revision name itself (a server that sends no commit header still gets a working cache).
 */
export function snapshotIdFor(revision: string, commitHash: string | undefined): string {
  return commitHash !== undefined && COMMIT_HASH.test(commitHash) ? commitHash : revision;
}

/** The final cache path of `filename` inside a snapshot. */
export function snapshotFilePath(cache: RepoCache, snapshotId: string, filename: string): string {
  return join(cache.repoDir, 'snapshots', snapshotId, filename);
}

/** Records which commit `revision` resolved to, so later lookups by branch name find the snapshot. */
export async function recordRevision(cache: RepoCache, revision: string, snapshotId: string): Promise<void> {
  if (revision === snapshotId) return;
  const refPath = join(cache.repoDir, 'refs', revision);
  if (readRef(refPath) === snapshotId) return;
  await writeFileAtomic(refPath, snapshotId);
}

/** Remembers that `filename` does not exist at `snapshotId`. */
export async function recordAbsentFile(
  cache: RepoCache,
  snapshotId: string,
  filename: string,
): Promise<void> {
  await writeFileAtomic(join(cache.repoDir, '.no_exist', snapshotId, filename), '');
}

function snapshotCandidates(cache: RepoCache, revision: string): string[] {
  if (COMMIT_HASH.test(revision)) return [revision];
  const commit = readRef(join(cache.repoDir, 'refs', revision));
  return commit === undefined || commit === revision ? [revision] : [commit, revision];
}

function readRef(refPath: string): string | undefined {
  if (!existsSync(refPath)) return undefined;
  const commit = readFileSync(refPath, 'utf8').trim();
  return commit === '' ? undefined : commit;
}
