import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config.mjs';
import { runExperiment } from '../src/experiment.mjs';

describe('smoke run', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'python-math-smoke-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('runs SFT, evaluation and PPO end to end and writes logs, curve and checkpoint', async () => {
    const summary = await runExperiment(SMOKE_CONFIG, { runDir, log: () => {} });
    expect(summary.heldOutProblems).toBe(SMOKE_CONFIG.testSize);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    for (const rate of Object.values(summary.afterPpo.sampled) as number[]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const keys = new Set(lines.flatMap((line) => Object.keys(JSON.parse(line))));
    for (const key of [
      'sft/loss',
      'eval/accuracy',
      'eval/clean_run_rate',
      'env/reward_mean',
      'ppo/loss/total',
    ])
      expect(keys).toContain(key);
    expect(existsSync(join(runDir, 'tensorboard'))).toBe(true);
    expect(readFileSync(join(runDir, 'learning-curve.svg'), 'utf8')).toMatch(/<svg[\s\S]*<\/svg>\n$/);
    const png = readFileSync(join(runDir, 'learning-curve.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const saved = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'config.json'), 'utf8'));
    expect(saved.n_embd).toBe(SMOKE_CONFIG.model.n_embd);
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).heldOutProblems).toBe(8);
  });
});
