import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggedMetricNames, onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = useTempDir('reward-model-smoke-');

  it('trains the reward model, then runs SFT and PPO against it with finite numbers', async () => {
    const summary = await runExperiment(onTestBackend(SMOKE_CONFIG), { runDir, log: () => {} });
    expect(summary.rewardModel.evalPairs).toBe(SMOKE_CONFIG.reward.evalPairs);
    expect(summary.rewardModel.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.rewardModel.accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(summary.rewardModel.evalLoss)).toBe(true);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    for (const point of summary.curve.train) {
      expect(Number.isFinite(point.reward)).toBe(true);
      expect(Number.isFinite(point.kl)).toBe(true);
    }
    expect(Number.isFinite(summary.afterPpo.rewardModelScore)).toBe(true);
    const keys = loggedMetricNames(runDir);
    expect(keys).toContain('eval/reward_model_score');
    expect(keys).toContain('objective/kl');
    expect(existsSync(join(runDir, 'reward-model', 'config.json'))).toBe(true);
    expect(readFileSync(join(runDir, 'learning-curve.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    const png = readFileSync(join(runDir, 'learning-curve.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(JSON.parse(readFileSync(join(runDir, 'learning-curve.vl.json'), 'utf8')).data.values.length).toBe(
      summary.curve.eval.length * 2 + summary.curve.train.length,
    );
  });
});
