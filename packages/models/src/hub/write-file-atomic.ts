import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A sibling temp path for `target`. Writing there and renaming makes the final file appear whole or
 * not at all, so a crash or a concurrent reader never sees a half-written file.
 */
export function temporarySiblingPath(target: string): string {
  return `${target}.${process.pid}.${randomBytes(6).toString('hex')}.incomplete`;
}

/** Writes `contents` to `path` atomically (temp file + rename), creating parent directories. */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporarySiblingPath(path);
  try {
    await writeFile(temporary, contents);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
