import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunArtifacts } from '@trl/example-kit/run-artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'python-math-smoke-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('runs SFT, evaluation and PPO end to end and writes logs, curve and checkpoint', async () => {
    const summary = await runExperiment(SMOKE_CONFIG, { runDir, log: () => {} });
    expect(summary.heldOutProblems).toBe(SMOKE_CONFIG.testSize);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    for (const rate of Object.values(summary.afterPpo.sampled)) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    const run = readRunArtifacts(runDir);
    for (const key of [
      'sft/loss',
      'eval/accuracy',
      'eval/clean_run_rate',
      'env/reward_mean',
      'ppo/loss/total',
    ])
      expect(run.metricKeys).toContain(key);
    expect(run.has('tensorboard')).toBe(true);
    expect(run.svg).toMatch(/<svg[\s\S]*<\/svg>\n$/);
    expect(run.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(run.savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
    expect(run.summary.heldOutProblems).toBe(8);
  });
});
