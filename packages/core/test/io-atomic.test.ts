import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/io/atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trl-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates parent directories and writes bytes and strings', async () => {
    const target = join(dir, 'a', 'b', 'file.bin');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    await writeFileAtomic(join(dir, 'text.json'), '{"ok":true}');
    expect(await readFile(join(dir, 'text.json'), 'utf8')).toBe('{"ok":true}');
  });

  it('replaces an existing file and leaves no temporary files behind', async () => {
    const target = join(dir, 'config.json');
    await writeFile(target, 'old contents that are longer');
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('fails with the path in the message and cleans up when the target is a directory', async () => {
    await writeFileAtomic(join(dir, 'taken', 'x'), 'x');
    await expect(writeFileAtomic(join(dir, 'taken'), 'data')).rejects.toThrow(/taken/);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects bad arguments by name', async () => {
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(/path/);
    await expect(writeFileAtomic(join(dir, 'f'), 42 as unknown as string)).rejects.toThrow(/data/);
  });
});
