import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TrlError } from '@trl/spec';

/**
 * Writes `data` to `path` so readers see either the old file or the complete new one, never a torn
 * write: the bytes go to a temporary file in the same directory (same filesystem, so the rename is
 * atomic), are fsynced, and the temporary file is renamed over `path`. Parent directories are created.
 * A crash mid-write leaves at most a stray `.<name>.<random>.tmp` file beside the target.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TrlError(
      'invalid-argument',
      `writeFileAtomic: \`path\` must be a non-empty string, got ${String(path)}.`,
    );
  }
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TrlError('invalid-argument', 'writeFileAtomic: `data` must be a string or a Uint8Array.');
  }
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporaryPath = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporaryPath, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw new Error(`writeFileAtomic: could not write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await syncDirectory(directory);
}

/**
 * Persists renames into `directory` (fsync of the directory). Best effort: some platforms (Windows)
 * cannot open a directory; the renames are still atomic there, only less durable across power loss.
 */
export async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the data is already durable in the renamed file on every mainstream filesystem.
  }
}
