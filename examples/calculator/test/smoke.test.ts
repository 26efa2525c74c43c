import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config.mjs';
import { runExperiment } from '../src/experiment.mjs';

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
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const keys = new Set(lines.flatMap((line) => Object.keys(JSON.parse(line))));
    expect(keys).toContain('sft/loss');
    expect(keys).toContain('eval/accuracy');
    expect(keys).toContain('env/reward_mean');
    expect(readFileSync(join(runDir, 'learning-curve.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    const png = readFileSync(join(runDir, 'learning-curve.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const warmStart = JSON.parse(readFileSync(join(runDir, 'sft-checkpoint', 'config.json'), 'utf8'));
    expect(warmStart.n_layer).toBe(SMOKE_CONFIG.model.n_layer);
    const saved = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'config.json'), 'utf8'));
    expect(saved.n_embd).toBe(SMOKE_CONFIG.model.n_embd);
  });
});
