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
      // held-out reward and AFINN-165 per evaluation, batch reward and KL per step.
      summary.curve.train.length * 2 + summary.curve.eval.length * 2,
    );
    const saved = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'config.json'), 'utf8'));
    expect(saved.n_embd).toBe(SMOKE_CONFIG.model.n_embd);
    // The classifier reward: trained in the run and saved in Hugging Face layout.
    const classifier = JSON.parse(readFileSync(join(runDir, 'classifier', 'config.json'), 'utf8'));
    expect(classifier.model_type).toBe('distilbert');
    expect(classifier.id2label).toEqual({ 0: 'NEGATIVE', 1: 'POSITIVE' });
    expect(readFileSync(join(runDir, 'classifier', 'vocab.txt'), 'utf8').split('\n')[0]).toBe('[PAD]');
    expect(summary.reward).toBe('classifier');
    expect(summary.classifier?.accuracyAfter).toBeGreaterThanOrEqual(0);
    expect(summary.afterPpo.classifierPositiveRate).toBeGreaterThanOrEqual(0);
    expect(keys).toContain('eval/afinn_mean');
  });

  const lexiconDir = useTempDir('sentiment-smoke-lexicon-');
  it('keeps the AFINN-165 lexicon reward as an option (reward.kind = lexicon)', async () => {
    const config = { ...SMOKE_CONFIG, reward: { ...SMOKE_CONFIG.reward, kind: 'lexicon' as const } };
    const summary = await runExperiment(onTestBackend(config), { runDir: lexiconDir, log: () => {} });
    expect(summary.reward).toBe('lexicon');
    expect(summary.classifier).toBeUndefined();
    expect(summary.afterPpo.meanReward).toBe(summary.afterPpo.afinnMean);
    expect(summary.afterPpo.classifierPositiveRate).toBeUndefined();
  });
});
