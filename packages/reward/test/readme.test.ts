import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpt2ForSequenceClassification } from '@trl/models';
import { tinyGpt2, tinyTokenizer, useTestBackend } from '@trl/test-kit/models';
import { expect, it } from 'vitest';
import { RewardTrainer } from '../src/index';

it('the README quick start runs as written (with a temporary output dir)', async () => {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain('centerRewardsCoefficient: 0.01');
  const outputDir = await mkdtemp(join(tmpdir(), 'trl-reward-readme-'));
  try {
    await useTestBackend();
    const tokenizer = tinyTokenizer();
    // The README's backbone: 32 positions, GPT-2's default dropout of 0.1.
    const backbone = tinyGpt2(1, { positions: 32, dropout: 0.1 });
    const model = new Gpt2ForSequenceClassification(backbone, 1);
    const pairs = [
      { chosen: 'good answer', rejected: 'bad answer' },
      { chosen: 'a good one', rejected: 'a bad one', margin: 0.5 },
      { chosen: [103, 111, 111, 100], rejected: [98, 97, 100] },
    ];
    const trainer = new RewardTrainer({
      model,
      tokenizer,
      args: {
        outputDir,
        maxSteps: 30,
        learningRate: 3e-3,
        centerRewardsCoefficient: 0.01,
        disableTqdm: true,
      },
      trainDataset: pairs,
      evalDataset: pairs,
    });
    await trainer.train();
    expect(trainer.evaluate().eval_accuracy).toBe(1);
    const [good, bad] = trainer.score(['good', 'bad']);
    expect(good).toBeGreaterThan(bad as number);
    model.dispose();
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
});
