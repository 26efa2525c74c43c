import { readRunArtifacts, runDirProblems } from '@trl/example-kit/run-artifacts';
import { onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = useTempDir('python-math-smoke-');

  it('runs SFT, evaluation and PPO end to end and writes logs, curve and checkpoint', async () => {
    const summary = await runExperiment(onTestBackend(SMOKE_CONFIG), { runDir, log: () => {} });
    expect(summary.heldOutProblems).toBe(SMOKE_CONFIG.testSize);
    const { steps } = SMOKE_CONFIG.ppo;
    expect([summary.curve.train.length, summary.afterPpo.step]).toEqual([steps, steps]);
    for (const rate of Object.values(summary.afterPpo.sampled)) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    const metrics = ['sft/loss', 'eval/accuracy', 'eval/clean_run_rate', 'env/reward_mean', 'ppo/loss/total'];
    expect(runDirProblems(runDir, { metrics, files: ['tensorboard'] })).toEqual([]);
    const run = readRunArtifacts(runDir);
    expect(run.savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
    expect(run.summary.heldOutProblems).toBe(8);
  });
});
