import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@trl/core';
import { readRunArtifacts } from '@trl/example-kit/run-artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'wiki-qa-smoke-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('runs SFT, evaluation with and without the tool, and PPO; writes logs, curve and checkpoint', async () => {
    expect(SMOKE_CONFIG.backend).toBe('wasm');
    await initBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const summary = await runExperiment(SMOKE_CONFIG, { runDir, log: () => {} });
    // Model, value head, optimizer state and PPO's reference snapshot are all freed at the end.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(summary.heldOutQuestions).toBe(SMOKE_CONFIG.entities.test * 3);
    expect(summary.curve.train).toHaveLength(SMOKE_CONFIG.ppo.steps);
    expect(summary.curve.eval.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(summary.afterPpo.step).toBe(SMOKE_CONFIG.ppo.steps);
    for (const point of [summary.afterSft, summary.afterPpo]) {
      expect(point.sampled.accuracy).toBeGreaterThanOrEqual(0);
      expect(point.sampled.accuracy).toBeLessThanOrEqual(1);
      expect(point.withoutTool!.greedy).toBeGreaterThanOrEqual(0);
    }
    const run = readRunArtifacts(runDir);
    for (const key of [
      'sft/loss',
      'eval/accuracy',
      'eval/accuracy_without_tool',
      'env/reward_mean',
      'env/tool_call_rate',
    ])
      expect(run.metricKeys).toContain(key);
    expect(run.has('tensorboard')).toBe(true);
    expect(run.svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect([...run.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(run.savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
    expect(run.has('checkpoint/tokenizer.json')).toBe(true);
  });
});
