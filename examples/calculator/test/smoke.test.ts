import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG_SIGNATURE, readRunArtifacts } from '@trl/example-kit/run-artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'calculator-smoke-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('runs SFT, evaluation and PPO end to end and writes logs, curve (SVG and PNG), warm start and checkpoint', async () => {
    const summary = await runExperiment(SMOKE_CONFIG, { runDir, log: () => {} });
    expect(summary.heldOutTasks).toBe(SMOKE_CONFIG.testSize);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    expect(summary.afterPpo.sampled.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.afterPpo.sampled.accuracy).toBeLessThanOrEqual(1);
    const run = readRunArtifacts(runDir);
    for (const key of ['sft/loss', 'eval/accuracy', 'env/reward_mean']) expect(run.metricKeys).toContain(key);
    expect(run.svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect([...run.png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(run.savedConfig('sft-checkpoint').n_layer).toBe(SMOKE_CONFIG.model.n_layer);
    expect(run.savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
  });
});
