import { readRunArtifacts, runDirProblems } from '@trl/example-kit/run-artifacts';
import { onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = useTempDir('calculator-smoke-');

  it('runs SFT, evaluation and PPO end to end and writes logs, curve (SVG and PNG), warm start and checkpoint', async () => {
    const summary = await runExperiment(onTestBackend(SMOKE_CONFIG), { runDir, log: () => {} });
    expect(summary.heldOutTasks).toBe(SMOKE_CONFIG.testSize);
    const { steps } = SMOKE_CONFIG.ppo;
    expect([summary.curve.train.length, summary.afterPpo.step]).toEqual([steps, steps]);
    expect(summary.afterPpo.sampled.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.afterPpo.sampled.accuracy).toBeLessThanOrEqual(1);
    expect(runDirProblems(runDir, { metrics: ['sft/loss', 'eval/accuracy', 'env/reward_mean'] })).toEqual([]);
    const run = readRunArtifacts(runDir);
    expect(run.savedConfig('sft-checkpoint').n_layer).toBe(SMOKE_CONFIG.model.n_layer);
    expect(run.savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
  });
});
