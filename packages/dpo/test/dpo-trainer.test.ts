import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrlConfigError, TrlError } from '@trl/core';
import { addLora, createReferenceModel, type Gpt2LMHeadModel } from '@trl/models';
import { tensorCountsOfTwoRounds, tinyGpt2, tinyTokenizer, useTestBackend } from '@trl/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOTrainer } from '../src/index';

const quiet = { reportTo: ['none' as const], disableTqdm: true, saveStrategy: 'no' as const };
const pairs = [
  { prompt: 'Q: sky? A:', chosen: ' blue', rejected: ' green' },
  { prompt: 'Q: grass? A:', chosen: ' green', rejected: ' blue' },
  { prompt: 'Q: snow? A:', chosen: ' white', rejected: ' black' },
  { prompt: 'Q: coal? A:', chosen: ' black', rejected: ' white' },
];
let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'trl-dpo-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function tinyModel(seed: number): Gpt2LMHeadModel {
  return tinyGpt2(seed, { dropout: 0 });
}

describe('DPOTrainer', () => {
  it('raises the chosen-vs-rejected margin and accuracy over a few dozen steps', async () => {
    const model = tinyModel(1);
    const refModel = createReferenceModel(model);
    const trainer = new DPOTrainer({
      model,
      refModel,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'train'),
        maxSteps: 30,
        learningRate: 3e-3,
        perDeviceTrainBatchSize: 4,
      },
      trainDataset: pairs,
      evalDataset: pairs,
    });
    const before = trainer.evaluate();
    expect(before.eval_loss).toBeCloseTo(Math.log(2), 5);
    expect(before['eval_rewards/margins']).toBeCloseTo(0, 5);
    await trainer.train();
    const after = trainer.evaluate();
    expect(after['eval_rewards/margins']).toBeGreaterThan(0.1);
    expect(after['eval_rewards/accuracies']).toBe(1);
    expect(after.eval_loss).toBeLessThan(before.eval_loss as number);
    model.dispose();
    refModel.dispose();
  });

  it('appends EOS to completions and splits the prompt off the joint tokenization', () => {
    const model = tinyModel(2);
    const tokenizer = tinyTokenizer();
    const trainer = new DPOTrainer({
      model,
      refModel: createReferenceModel(model),
      tokenizer,
      args: { ...quiet, outputDir: join(dir, 'tok') },
      trainDataset: [pairs[0], { prompt_input_ids: [1, 2], chosen_input_ids: [3], rejected_input_ids: [4] }],
    });
    const [text, ids] = trainer.trainExamples;
    expect(text?.chosen.at(-1)).toBe(tokenizer.eosTokenId);
    expect(text?.prompt).toEqual(tokenizer.encode('Q: sky? A:'));
    expect(ids).toMatchObject({
      prompt: [1, 2],
      chosen: [3, tokenizer.eosTokenId],
      rejected: [4, tokenizer.eosTokenId],
    });
    model.dispose();
  });

  it('trains only LoRA adapters with precomputed reference log-probs and keeps numTensors stable', async () => {
    const model = tinyModel(3);
    const baseBefore = model.weights.wte.dataSync().slice();
    const out = join(dir, 'lora');
    const trainer = new DPOTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: out,
        maxSteps: 20,
        learningRate: 1e-2,
        perDeviceTrainBatchSize: 4,
        precomputeRefLogProbs: true,
        saveStrategy: 'steps',
        saveSteps: 20,
      },
      trainDataset: pairs,
      evalDataset: pairs,
      peft: { config: { r: 4, loraAlpha: 8 }, apply: (m: Gpt2LMHeadModel, c) => addLora(m, c) },
    });
    expect(trainer.model.trainableVariables().every((p) => p.name.includes('lora_'))).toBe(true);
    expect(trainer.evaluate()['eval_rewards/margins']).toBeCloseTo(0, 5);
    const { afterFirst, afterSecond } = await tensorCountsOfTwoRounds(async () => {
      await trainer.train();
      trainer.evaluate();
    });
    expect(afterSecond).toBe(afterFirst);
    expect(trainer.evaluate()['eval_rewards/margins']).toBeGreaterThan(0.05);
    expect([...model.weights.wte.dataSync()]).toEqual([...baseBefore]);
    const checkpoints = await readdir(out);
    expect(checkpoints.some((name) => name.startsWith('checkpoint-'))).toBe(true);
    model.dispose();
  });

  it('rejects unknown config keys, a missing reference and pairs without text', () => {
    const model = tinyModel(4);
    const refModel = createReferenceModel(model);
    const base = { model, refModel, tokenizer: tinyTokenizer(), trainDataset: pairs };
    expect(() => new DPOTrainer({ ...base, args: { ...quiet, betta: 0.1 } as never })).toThrow(
      TrlConfigError,
    );
    expect(() => new DPOTrainer({ ...base, args: { ...quiet, betta: 0.1 } as never })).toThrow(/betta/);
    expect(
      () => new DPOTrainer({ model, tokenizer: tinyTokenizer(), trainDataset: pairs, args: quiet }),
    ).toThrow(/refModel/);
    expect(
      () => new DPOTrainer({ ...base, args: quiet, trainDataset: [{ prompt: 'a', chosen: 'b' }] }),
    ).toThrow(TrlError);
    model.dispose();
    refModel.dispose();
  });
});
