import { initBackend, tf } from '@trl/core';
import { readRunArtifacts, runDirProblems } from '@trl/example-kit/run-artifacts';
import { onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { describe, expect, it } from 'vitest';
import { SMOKE_CONFIG } from '../src/config';
import { runExperiment } from '../src/experiment';

describe('smoke run', () => {
  const runDir = useTempDir('wiki-qa-smoke-');

  it('runs SFT, evaluation with and without the tool, and PPO; writes logs, curve and checkpoint', async () => {
    const config = onTestBackend(SMOKE_CONFIG);
    await initBackend(config.backend);
    const tensorsBefore = tf.memory().numTensors;
    const summary = await runExperiment(config, { runDir, log: () => {} });
    // Model, value head, optimizer state and PPO's reference snapshot are all freed at the end.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(summary.heldOutQuestions).toBe(SMOKE_CONFIG.entities.test * 3);
    const { steps } = SMOKE_CONFIG.ppo;
    expect([summary.curve.train.length, summary.afterPpo.step]).toEqual([steps, steps]);
    expect(summary.curve.eval.map((p) => p.step)).toEqual([0, 1, 2]);
    for (const point of [summary.afterSft, summary.afterPpo]) {
      expect(point.sampled.accuracy).toBeGreaterThanOrEqual(0);
      expect(point.sampled.accuracy).toBeLessThanOrEqual(1);
      expect(point.withoutTool!.greedy).toBeGreaterThanOrEqual(0);
    }
    const metrics = [
      'sft/loss',
      'eval/accuracy',
      'eval/accuracy_without_tool',
      'env/reward_mean',
      'env/tool_call_rate',
    ];
    const files = ['tensorboard', 'checkpoint/tokenizer.json'];
    expect(runDirProblems(runDir, { metrics, files })).toEqual([]);
    expect(readRunArtifacts(runDir).savedConfig('checkpoint').n_embd).toBe(SMOKE_CONFIG.model.n_embd);
  });
});
