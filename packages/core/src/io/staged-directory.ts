import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TrlError } from '@trl/spec';
import { syncDirectory } from './atomic';

/**
 * Hidden siblings of a directory `name` that {@link writeStagedDirectory} creates:
 * - `staging`: being filled; incomplete by definition, always safe to delete;
 * - `ready`: filled and synced, not yet moved into place (complete);
 * - `retired`: the previous copy, moved aside for the swap (complete);
 * - `trash`: being deleted on purpose by {@link removeDirectorySafely}; never resurrected.
 */
const KINDS = ['staging', 'ready', 'retired', 'trash'] as const;
type Kind = (typeof KINDS)[number];

/** The points of a staged write, in order, as reported to the step hook. */
export const STAGED_WRITE_STEPS = [
  'recovered',
  'staging-created',
  'filled',
  'sealed',
  'old-retired',
  'new-in-place',
  'done',
] as const;

/** Receives every step of every staged write (including the callers' own fill steps). */
export type StagedWriteHook = (step: string, dir: string) => void;

let stepHook: StagedWriteHook | undefined;

/**
 * Installs (or with `undefined` removes) a hook called synchronously at every step of every staged
 * write. It exists so tests can kill the process at each step and prove the write crash-safe.
 */
export function setStagedWriteHook(hook: StagedWriteHook | undefined): void {
  stepHook = hook;
}

function siblingName(name: string, kind: Kind): string {
  return `.${name}.${kind}-${randomBytes(6).toString('hex')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The hidden siblings of `dir` left by interrupted writes, newest first within each kind. */
async function leftovers(dir: string): Promise<{ kind: Kind; path: string; mtime: number }[]> {
  const parent = dirname(dir);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(dir))}\\.(${KINDS.join('|')})-[0-9a-f]+$`);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const found: { kind: Kind; path: string; mtime: number }[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const path = join(parent, name);
    const info = await stat(path).catch(() => undefined);
    if (info) found.push({ kind: match[1] as Kind, path, mtime: info.mtimeMs });
  }
  return found.sort((a, b) => b.mtime - a.mtime);
}

/** What {@link recoverStagedDirectory} found. */
export type StagedDirectoryStatus =
  /** `dir` was in place; any leftovers were deleted. */
  | 'intact'
  /** `dir` was missing and a complete new copy (interrupted before its final rename) took its place. */
  | 'recovered-new'
  /** `dir` was missing and the previous copy, moved aside for a swap, was put back. */
  | 'recovered-old'
  /** Neither `dir` nor a complete copy of it exists. */
  | 'missing';

/**
 * Brings `dir` back to a complete state after a crash in {@link writeStagedDirectory}: if `dir` is
 * missing, the newest complete hidden copy (the new one if it was sealed, else the old one) is renamed
 * into place; then every other leftover (unfinished staging copies, retired or half-deleted ones) is
 * deleted. Every step is itself safe to interrupt, so calling it again always finishes the job.
 */
export async function recoverStagedDirectory(dir: string): Promise<StagedDirectoryStatus> {
  const found = await leftovers(dir);
  let status: StagedDirectoryStatus = 'intact';
  if (!(await exists(dir))) {
    const candidate =
      found.find((item) => item.kind === 'ready') ?? found.find((item) => item.kind === 'retired');
    if (candidate) {
      await rename(candidate.path, dir);
      await syncDirectory(dirname(dir));
      status = candidate.kind === 'ready' ? 'recovered-new' : 'recovered-old';
    } else {
      status = 'missing';
    }
    for (const item of found) {
      if (item !== candidate) await rm(item.path, { recursive: true, force: true });
    }
    return status;
  }
  for (const item of found) await rm(item.path, { recursive: true, force: true });
  return status;
}

/**
 * Recovers every directory in `parent` that an interrupted staged write left behind (see
 * {@link recoverStagedDirectory}), so listings of `parent` see complete directories only.
 */
export async function recoverStagedDirectories(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const targets = new Set<string>();
  const pattern = new RegExp(`^\\.(.+)\\.(${KINDS.join('|')})-[0-9a-f]+$`);
  for (const name of names) {
    const match = pattern.exec(name);
    if (match) targets.add(match[1] as string);
  }
  for (const target of targets) await recoverStagedDirectory(join(parent, target));
}

/**
 * Writes the directory `dir` as a whole, crash-safe at every instant: `fill` writes into a hidden
 * `.<name>.staging-*` sibling, which is synced and sealed by renaming it `.<name>.ready-*`; the old
 * `dir` (if any) is renamed `.<name>.retired-*`, the ready copy renamed to `dir`, and the retired copy
 * deleted. A crash leaves either the old or the new directory complete (under `dir` or a hidden name),
 * and {@link recoverStagedDirectory}, which this runs first and readers run before reading, puts it
 * back and deletes the rest. `fill` may report its own steps through `step`. Single writer per `dir`.
 */
export async function writeStagedDirectory(
  dir: string,
  fill: (staging: string, step: (name: string) => void) => Promise<void>,
): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TrlError(
      'invalid-argument',
      `writeStagedDirectory: \`dir\` must be a non-empty path, got ${String(dir)}.`,
    );
  }
  const step = (name: string) => stepHook?.(name, dir);
  const parent = dirname(dir);
  const name = basename(dir);
  await mkdir(parent, { recursive: true });
  await recoverStagedDirectory(dir);
  step('recovered');
  const staging = join(parent, siblingName(name, 'staging'));
  await mkdir(staging);
  step('staging-created');
  let ready: string | undefined;
  try {
    await fill(staging, step);
    step('filled');
    await syncDirectory(staging);
    ready = join(parent, siblingName(name, 'ready'));
    await rename(staging, ready);
    await syncDirectory(parent);
    step('sealed');
  } catch (error) {
    await rm(ready ?? staging, { recursive: true, force: true });
    throw error;
  }
  let retired: string | undefined;
  if (await exists(dir)) {
    retired = join(parent, siblingName(name, 'retired'));
    await rename(dir, retired);
    step('old-retired');
  }
  await rename(ready, dir);
  await syncDirectory(parent);
  step('new-in-place');
  if (retired) await rm(retired, { recursive: true, force: true });
  step('done');
}

/**
 * Deletes `dir` so a crash never leaves a partial copy under its name: it is renamed to a hidden
 * `.<name>.trash-*` sibling first (which recovery deletes, never restores), then removed.
 */
export async function removeDirectorySafely(dir: string): Promise<void> {
  if (!(await exists(dir))) return;
  const trash = join(dirname(dir), siblingName(basename(dir), 'trash'));
  await rename(dir, trash);
  await rm(trash, { recursive: true, force: true });
}
