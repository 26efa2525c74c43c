import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { TrlError } from '@trl/core';

/**
 * A string is a local path when it names something on disk, or looks like a path (`./x`, `/x`, `~/x`)
 * so a mistyped directory gets a "does not exist" error rather than a hub request.
 */
export function isLocalPath(pathOrRepoId: string): boolean {
  if (existsSync(pathOrRepoId)) return true;
  return isAbsolute(pathOrRepoId) || /^(\.{1,2}|~)([/\\]|$)/.test(pathOrRepoId);
}

/** `~/x` → the home directory's `x`, as a shell would. */
export function expandHome(path: string): string {
  return /^~([/\\]|$)/.test(path) ? join(homedir(), path.slice(1)) : path;
}

/** `directory/filename` when it exists; undefined for a missing optional file; else a clear Error. */
export function resolveLocalFile(directory: string, filename: string, required: boolean): string | undefined {
  if (!existsSync(directory)) {
    throw new TrlError(
      'file-not-found',
      `pathOrRepoId "${directory}" does not exist; pass an existing model directory or a hub repo id.`,
    );
  }
  if (!statSync(directory).isDirectory()) {
    throw new TrlError(
      'invalid-argument',
      `pathOrRepoId "${directory}" is a file; pass the directory that contains "${filename}".`,
    );
  }
  const path = join(directory, filename);
  if (existsSync(path)) return path;
  if (!required) return undefined;
  throw new TrlError(
    'file-not-found',
    `Required file "${filename}" is missing from the model directory "${resolve(directory)}".`,
  );
}

/** Refuses absolute paths and `.`/`..` segments, which could escape the repo or the cache. */
export function assertValidFilename(filename: string): void {
  const segments = filename.split(/[/\\]/);
  if (filename === '' || isAbsolute(filename) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new TrlError(
      'invalid-argument',
      `filename "${filename}" must be a relative path inside the repo without "." or ".." segments, e.g. "config.json".`,
    );
  }
}

/** Refuses revisions that could escape the cache folder. */
export function assertValidRevision(revision: string): void {
  const segments = revision.split('/');
  if (
    revision === '' ||
    revision.includes('\\') ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new TrlError(
      'invalid-argument',
      `revision "${revision}" must be a branch, tag or commit hash such as "main".`,
    );
  }
}
