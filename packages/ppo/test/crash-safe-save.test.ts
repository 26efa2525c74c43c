import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGED_WRITE_STEPS, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PPOTrainer } from '../src/index';
import { bundleScript } from './helpers/bundle-script';
import { tinyPolicy, tinyTokenizer, useTestBackend } from './helpers/tiny-model';

let root: string;
let child: string;
beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'ppo-crash-'));
  child = join(root, 'save-child.cjs');
  await bundleScript(join(import.meta.dirname, 'helpers', 'save-child.ts'), child);
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every file of a directory with its bytes, for a whole-directory comparison. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) files.set(name, await readFile(join(dir, name)));
  return files;
}

function same(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, bytes] of a) {
    const other = b.get(name);
    if (!other?.equals(bytes)) return false;
  }
  return true;
}

/** Runs `work` over `items` with at most `limit` at a time (CI has two cores). */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

describe('PPOTrainer.save is crash-safe at every step', () => {
  it('a process SIGKILLed at any step of a save leaves the old or the new checkpoint, whole, and resume cleans up', async () => {
    const reference = await run([join(root, 'new'), 'none', join(root, 'old')]);
    expect(reference.code, reference.stderr).toBe(0);
    const steps = JSON.parse(reference.stdout) as string[];
    // The writer's own steps plus the trainer's file-by-file steps inside the staging directory.
    for (const step of STAGED_WRITE_STEPS) expect(steps).toContain(step);
    expect(steps).toEqual(expect.arrayContaining(['model', 'trainable', 'optimizer', 'state']));
    const oldFiles = await snapshot(join(root, 'old'));
    const newFiles = await snapshot(join(root, 'new'));
    expect(same(oldFiles, newFiles)).toBe(false);

    const killed = await pool(steps, 2, async (step) => {
      const dir = join(root, `killed-${step}`, 'checkpoint');
      return { step, dir, result: await run([dir, step]) };
    });
    const outcomes: Record<string, 'old' | 'new'> = {};
    for (const { step, dir, result } of killed) {
      expect(result.signal, `${step}: ${result.stderr}`).toBe('SIGKILL');
      const ppo = new PPOTrainer({
        config: { miniBatchSize: 2, seed: 3 },
        model: tinyPolicy(50, { layers: 1, width: 16 }),
        tokenizer: tinyTokenizer(),
      });
      await ppo.resume(dir);
      // A second resume of the same checkpoint replaces, not adds: nothing leaks.
      const loaded = tf.memory().numTensors;
      await ppo.resume(dir);
      expect(tf.memory().numTensors, step).toBe(loaded);
      const files = await snapshot(dir);
      const isOld = same(files, oldFiles);
      const isNew = same(files, newFiles);
      expect(
        isOld || isNew,
        `killed at "${step}": the directory is neither the old nor the new checkpoint`,
      ).toBe(true);
      outcomes[step] = isOld ? 'old' : 'new';
      expect(ppo.stepCount, step).toBe(isOld ? 0 : 1);
      // Stale staging, ready and retired copies are gone.
      expect(await readdir(join(dir, '..')), step).toEqual(['checkpoint']);
      ppo.dispose();
      ppo.model.dispose();
    }
    // Until the new copy is sealed the old one survives; from the first rename on, the new one wins.
    const sealed = steps.indexOf('sealed');
    steps.forEach((step, index) => {
      expect(outcomes[step], step).toBe(index <= sealed ? 'old' : 'new');
    });
  });
});
