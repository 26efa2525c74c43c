import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunTracker, generateContinuations, mean, round, startRun } from '../src/run';

describe('run helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kit-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rounds and averages, with 0 for an empty list', () => {
    expect(round(1.23456)).toBe(1.2346);
    expect(round(1.25, 1)).toBe(1.3);
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });

  it('tracks metrics to metrics.jsonl under the run directory', async () => {
    const tracker = createRunTracker(dir);
    await tracker.log({ 'sft/loss': 2.5 }, 0);
    await tracker.close();
    const line = JSON.parse(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')[0] ?? '{}');
    expect(line['sft/loss']).toBe(2.5);
  });

  it('starts a run: config.json saved, backend started and logged, a ticking clock and a tracker', async () => {
    const runDir = join(dir, 'nested', 'run');
    const logged: string[] = [];
    const config = { backend: 'cpu', seed: 3 };
    const { seconds, tracker } = await startRun({ config, runDir, log: (line: string) => logged.push(line) });
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'))).toEqual(config);
    expect(logged).toEqual(['backend: cpu']);
    expect(seconds()).toBeGreaterThanOrEqual(0);
    await tracker.log({ x: 1 }, 0);
    await tracker.close();
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toContain('"x":1');
  });

  it('generates one continuation per prompt, passing the seed only when given', async () => {
    const calls: Record<string, unknown>[] = [];
    const trainer = {
      generate: async (queries: number[][], options: Record<string, unknown>) => {
        calls.push(options);
        return queries.map((q) => [q.length, 0]);
      },
    };
    const tokenizer = {
      encode: (text: string) => [...text].map((c) => c.charCodeAt(0)),
      decode: (ids: number[], options: { skipSpecialTokens: boolean }) =>
        ids.filter((id) => !(options.skipSpecialTokens && id === 0)).join('|'),
    };
    const generation = { maxNewTokens: 2 };
    const out = await generateContinuations({
      trainer,
      tokenizer,
      prompts: ['ab', 'xyz'],
      generation,
      seed: 7,
    });
    expect(out.queries).toEqual([
      [97, 98],
      [120, 121, 122],
    ]);
    expect(out.texts).toEqual(['2', '3']);
    expect(calls[0]).toEqual({ maxNewTokens: 2, returnPrompt: false, seed: 7 });
    await generateContinuations({ trainer, tokenizer, prompts: ['a'], generation });
    expect(calls[1]).toEqual({ maxNewTokens: 2, returnPrompt: false });
  });
});
