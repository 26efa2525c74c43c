import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readRunArtifacts, runDirProblems } from '../src/run-artifacts';

describe('run directory checks', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'run-artifacts-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));
  const write = (svg: string, png: readonly number[]) => {
    writeFileSync(join(runDir, 'metrics.jsonl'), '{"step":0,"a":1}\n{"step":1,"b":2}\n');
    writeFileSync(join(runDir, 'learning-curve.svg'), svg);
    writeFileSync(join(runDir, 'learning-curve.png'), Buffer.from(png));
    writeFileSync(join(runDir, 'summary.json'), '{"n":3}');
    mkdirSync(join(runDir, 'checkpoint'), { recursive: true });
    writeFileSync(join(runDir, 'checkpoint', 'config.json'), '{"n_embd":32}');
  };

  it('reads what a run wrote', () => {
    write('<svg></svg>\n', [...PNG_SIGNATURE, 0]);
    const run = readRunArtifacts(runDir);
    expect([...run.metricKeys].sort()).toEqual(['a', 'b', 'step']);
    expect(run.summary).toEqual({ n: 3 });
    expect(run.savedConfig('checkpoint').n_embd).toBe(32);
    expect(run.has('checkpoint')).toBe(true);
    expect(run.has('tensorboard')).toBe(false);
  });

  it('names every problem of a run directory, and none of a good one', () => {
    write('<svg></svg>\n', [...PNG_SIGNATURE, 0]);
    expect(runDirProblems(runDir, { metrics: ['a', 'b'], files: ['checkpoint'] })).toEqual([]);
    write('<svg>', [0x89, 0x50]);
    expect(runDirProblems(runDir, { metrics: ['a', 'c'], files: ['tensorboard'] })).toEqual([
      'metric c never logged',
      'tensorboard missing',
      'learning-curve.svg is not a whole SVG document',
      'learning-curve.png is not a PNG',
    ]);
  });
});
