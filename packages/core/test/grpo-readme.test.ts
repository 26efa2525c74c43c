import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { runReadmeSnippet } from '../../test-kit/src/readme';
import { describeEachBackend } from './helpers/backends';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describeEachBackend('README', () => {
  it('README "GRPO and DPO math" snippet runs, logs sane numbers and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const { logs } = await runReadmeSnippet({
      packageDir,
      packageName: '@trl/core',
      section: '## GRPO and DPO math',
    });
    expect(logs).toHaveLength(2);
    const [grpoLossValue, grpoMetrics, reward] = logs[0] as [number, Record<string, number>, number];
    expect(Number.isFinite(grpoLossValue)).toBe(true);
    expect(Object.keys(grpoMetrics).sort()).toEqual(
      [
        'clip_ratio/high_max',
        'clip_ratio/high_mean',
        'clip_ratio/low_mean',
        'clip_ratio/low_min',
        'clip_ratio/region_mean',
        'kl',
      ].sort(),
    );
    // On-policy (ratio 1) nothing is clipped, and the k3 KL is non-negative.
    expect(grpoMetrics['clip_ratio/region_mean']).toBe(0);
    expect(grpoMetrics.kl).toBeGreaterThan(0);
    // Weighted rewards: 1.25, 0, 0.5, 1.5, 1.5, 0.5 → mean 0.875.
    expect(reward).toBeCloseTo(0.875, 6);
    const [dpoLossValue, dpoMetrics] = logs[1] as [number, Record<string, number>];
    // d = (0.5 - (-0.5)) and (-0.1 - 0.6): margins 0.1 and -0.07, so one pair of two is ranked right.
    expect(dpoMetrics['rewards/accuracies']).toBeCloseTo(0.5, 6);
    expect(dpoMetrics['rewards/margins']).toBeCloseTo((0.1 - 0.07) / 2, 5);
    expect(dpoLossValue).toBeCloseTo((Math.log1p(Math.exp(-0.1)) + Math.log1p(Math.exp(0.07))) / 2, 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
