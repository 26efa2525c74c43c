import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggedMetricNames, onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = useTempDir('sentiment-smoke-');

  it('runs SFT, evaluation and PPO end to end with finite numbers and writes logs, curve and checkpoint', async () => {
    const summary = await runExperiment(onTestBackend(SMOKE_CONFIG), { runDir, log: () => {} });
    expect(summary.heldOutOpenings).toBe(SMOKE_CONFIG.testSize);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    for (const value of [
      summary.beforePpo.meanReward,
      summary.afterPpo.meanReward,
      summary.maxKl,
      summary.sftFinalLoss,
    ]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    for (const point of summary.curve.train) {
      expect(Number.isFinite(point.reward)).toBe(true);
      expect(Number.isFinite(point.kl)).toBe(true);
    }
    expect(summary.samplesAfter).toHaveLength(SMOKE_CONFIG.testSize);
    const keys = loggedMetricNames(runDir);
    expect(keys).toContain('sft/loss');
    expect(keys).toContain('eval/reward_mean');
    expect(keys).toContain('objective/kl');
    expect(readFileSync(join(runDir, 'learning-curve.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    const png = readFileSync(join(runDir, 'learning-curve.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(JSON.parse(readFileSync(join(runDir, 'learning-curve.vl.json'), 'utf8')).data.values.length).toBe(
      summary.curve.train.length * 2 + summary.curve.eval.length,
    );
    const saved = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'config.json'), 'utf8'));
    expect(saved.n_embd).toBe(SMOKE_CONFIG.model.n_embd);
  });
});
