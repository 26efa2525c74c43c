import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listCheckpoints,
  recoverStagedDirectories,
  recoverStagedDirectory,
  removeDirectorySafely,
  resolveCheckpoint,
  setStagedWriteHook,
  writeStagedDirectory,
} from '../src/index';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'staged-dir-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh parent directory per test. */
async function parent(): Promise<string> {
  const dir = join(root, `case-${counter++}`);
  await mkdir(dir);
  return dir;
}

async function makeCopy(path: string, content: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'data.txt'), content);
}

const read = (dir: string) => readFile(join(dir, 'data.txt'), 'utf8');

describe('writeStagedDirectory', () => {
  it('writes, replaces whole, reports every step in order and leaves no hidden siblings', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await writeStagedDirectory(dir, async (staging) => {
      await writeFile(join(staging, 'data.txt'), 'one');
      await writeFile(join(staging, 'extra.txt'), 'only in the first');
    });
    const steps: string[] = [];
    setStagedWriteHook((step, target) => {
      expect(target).toBe(dir);
      steps.push(step);
    });
    try {
      await writeStagedDirectory(dir, async (staging, step) => {
        await writeFile(join(staging, 'data.txt'), 'two');
        step('data');
      });
    } finally {
      setStagedWriteHook(undefined);
    }
    expect(steps).toEqual([
      'recovered',
      'staging-created',
      'data',
      'filled',
      'sealed',
      'old-retired',
      'new-in-place',
      'done',
    ]);
    expect(await read(dir)).toBe('two');
    expect(await readdir(dir)).toEqual(['data.txt']);
    expect(await readdir(base)).toEqual(['ckpt']);
  });

  it('a failing fill removes its staging copy and keeps the old directory', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await makeCopy(dir, 'old');
    await expect(
      writeStagedDirectory(dir, async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await read(dir)).toBe('old');
    expect(await readdir(base)).toEqual(['ckpt']);
  });

  it('rejects an empty path', async () => {
    await expect(writeStagedDirectory('', async () => undefined)).rejects.toThrow(/non-empty path/);
  });
});

describe('recoverStagedDirectory (the states a crash can leave)', () => {
  it('dir in place: deletes unfinished staging, sealed-but-unplaced and retired copies', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await makeCopy(dir, 'current');
    await makeCopy(join(base, '.ckpt.staging-aa11'), 'half');
    await makeCopy(join(base, '.ckpt.ready-bb22'), 'sealed');
    await makeCopy(join(base, '.ckpt.retired-cc33'), 'older');
    await makeCopy(join(base, 'other'), 'unrelated');
    expect(await recoverStagedDirectory(dir)).toBe('intact');
    expect(await read(dir)).toBe('current');
    expect((await readdir(base)).sort()).toEqual(['ckpt', 'other']);
  });

  it('crash between the two renames: the sealed new copy takes its place', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await makeCopy(join(base, '.ckpt.retired-cc33'), 'old');
    await makeCopy(join(base, '.ckpt.ready-bb22'), 'new');
    expect(await recoverStagedDirectory(dir)).toBe('recovered-new');
    expect(await read(dir)).toBe('new');
    expect(await readdir(base)).toEqual(['ckpt']);
  });

  it('only the retired copy survives: it is put back; unfinished staging is never used', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await makeCopy(join(base, '.ckpt.retired-cc33'), 'old');
    await makeCopy(join(base, '.ckpt.staging-aa11'), 'half');
    expect(await recoverStagedDirectory(dir)).toBe('recovered-old');
    expect(await read(dir)).toBe('old');
    expect(await readdir(base)).toEqual(['ckpt']);
  });

  it('the layout the previous PPOTrainer.save left when killed between its renames is recovered (old copy)', async () => {
    const base = await parent();
    const dir = join(base, 'run');
    // That writer named both copies with one suffix and never sealed the staging copy.
    await makeCopy(join(base, '.run.staging-0a1b2c3d4e5f'), 'new, possibly partial');
    await makeCopy(join(base, '.run.retired-0a1b2c3d4e5f'), 'old');
    expect(await recoverStagedDirectory(dir)).toBe('recovered-old');
    expect(await read(dir)).toBe('old');
    expect(await readdir(base)).toEqual(['run']);
  });

  it('nothing complete (first save interrupted, or a deliberate delete): reports missing and cleans up', async () => {
    const base = await parent();
    const dir = join(base, 'ckpt');
    await makeCopy(join(base, '.ckpt.staging-aa11'), 'half');
    await makeCopy(join(base, '.ckpt.trash-dd44'), 'deleted');
    expect(await recoverStagedDirectory(dir)).toBe('missing');
    expect(await readdir(base)).toEqual([]);
    expect(await recoverStagedDirectory(join(base, 'no-such-parent', 'x'))).toBe('missing');
  });

  it('names with regex characters match only their own siblings', async () => {
    const base = await parent();
    await makeCopy(join(base, '.a+b.ready-0f'), 'mine');
    await makeCopy(join(base, '.aab.ready-0f'), 'not mine');
    expect(await recoverStagedDirectory(join(base, 'a+b'))).toBe('recovered-new');
    expect((await readdir(base)).sort()).toEqual(['.aab.ready-0f', 'a+b']);
  });
});

describe('checkpoint directories', () => {
  it('resolveCheckpoint(true) recovers a checkpoint left under a hidden name before picking the newest', async () => {
    const base = await parent();
    await makeCopy(join(base, 'checkpoint-2'), 'two');
    await makeCopy(join(base, '.checkpoint-4.ready-ab'), 'four');
    await makeCopy(join(base, '.checkpoint-6.staging-cd'), 'half');
    expect(await resolveCheckpoint(true, base)).toBe(join(base, 'checkpoint-4'));
    expect((await listCheckpoints(base)).map((c) => c.step)).toEqual([2, 4]);
    expect((await readdir(base)).sort()).toEqual(['checkpoint-2', 'checkpoint-4']);
  });

  it('resolveCheckpoint(path) recovers that directory first', async () => {
    const base = await parent();
    await makeCopy(join(base, '.checkpoint-3.retired-ab'), 'three');
    expect(await resolveCheckpoint(join(base, 'checkpoint-3'), base)).toBe(join(base, 'checkpoint-3'));
    expect(await read(join(base, 'checkpoint-3'))).toBe('three');
  });

  it('removeDirectorySafely deletes for good, and recovery never resurrects it', async () => {
    const base = await parent();
    const dir = join(base, 'checkpoint-1');
    await makeCopy(dir, 'one');
    await removeDirectorySafely(dir);
    await removeDirectorySafely(dir);
    await makeCopy(join(base, '.checkpoint-1.trash-ef'), 'half deleted');
    await recoverStagedDirectories(base);
    expect(await readdir(base)).toEqual([]);
  });
});
