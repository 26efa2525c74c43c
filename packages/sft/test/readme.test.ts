import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyGpt2, tinyTokenizer, useTestBackend } from '@trl/test-kit/models';
import { runReadmeSnippet } from '@trl/test-kit/readme';
import { expect, it } from 'vitest';
import { SFTTrainer } from '../src/index';

it('the README quick start runs as written (with a temporary output dir)', async () => {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain("responseTemplate: ' ### A:'");
  const outputDir = await mkdtemp(join(tmpdir(), 'trl-sft-readme-'));
  try {
    await useTestBackend();
    const tokenizer = tinyTokenizer();
    // The README's model: GPT-2's default dropout of 0.1.
    const model = tinyGpt2(1, { dropout: 0.1 });
    const rows = [{ text: 'Q: 2+2? ### A: 4' }, { text: 'Q: 3+3? ### A: 6' }, { text: 'Q: 1+4? ### A: 5' }];
    const trainer = new SFTTrainer({
      model,
      tokenizer,
      args: {
        outputDir,
        maxSteps: 20,
        learningRate: 3e-3,
        perDeviceTrainBatchSize: 3,
        responseTemplate: ' ### A:',
        saveSteps: 10,
        saveTotalLimit: 1,
        disableTqdm: true,
      },
      trainDataset: rows,
      evalDataset: rows,
    });
    // Only the answer (" 4") is trained on: 2 labels per row.
    expect(trainer.trainExamples.map((e) => e.labels.filter((l) => l !== -100).length)).toEqual([2, 2, 2]);
    const before = trainer.evaluate();
    const result = await trainer.train();
    const after = trainer.evaluate();
    expect(result.globalStep).toBe(20);
    expect(after.eval_loss).toBeLessThan(before.eval_loss as number);
    expect(after.eval_perplexity).toBeCloseTo(Math.exp(after.eval_loss as number), 5);
    expect((await readdir(outputDir)).sort()).toEqual(
      expect.arrayContaining([
        'checkpoint-20',
        'config.json',
        'logs.jsonl',
        'model.safetensors',
        'tokenizer.json',
      ]),
    );
    expect(await readdir(outputDir)).not.toContain('checkpoint-10');
    model.dispose();
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
});

it('the README pre-tokenized snippet runs as written and prints what its comments say', async () => {
  const { snippet, logs } = await runReadmeSnippet({
    packageDir: join(import.meta.dirname, '..'),
    packageName: '@trl/sft',
    section: '## Pre-tokenized rows with a loss mask',
    scratchPaths: ['/tmp/sft-ids-demo'],
  });
  expect(snippet).toContain('completion_mask');
  expect(logs).toEqual([[[-100, -100, -100, -100, 52, 256]], [5], [[-100, -100, -100, 52, 256]]]);
});
