import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunTracker, mean, round } from '../src/run.mjs';

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
});
