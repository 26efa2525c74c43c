import { join } from 'node:path';
import { tf } from '@trl/core';
import { AutoModelForCausalLM, addLora, type LlamaForCausalLM } from '@trl/models';
import { tinyLlama } from '@trl/test-kit';
import { scratchDir } from '@trl/test-kit/scratch';
import { beforeAll, describe, expect, it } from 'vitest';
import { SFTTrainer } from '../src/trainer';
import { collectingTracker, tensorCountsOfTwoRounds, tinyTokenizer, useTestBackend } from './helpers';

const rows = [
  { text: 'the cat sat on the mat' },
  { text: 'the dog sat on the log' },
  { text: 'a bird sat on a wire' },
  { text: 'the cat ate the rat' },
];
const quiet = { reportTo: ['none' as const], disableTqdm: true };
const dir = scratchDir('trl-sft-llama-');

beforeAll(useTestBackend);

describe('SFTTrainer on a Llama-family model (Qwen2 layout: GQA, q/k/v biases)', () => {
  it('lowers the loss and saves a folder that loads back to the same logits', async () => {
    const model = tinyLlama(4);
    const { tracker, logged } = collectingTracker();
    const out = join(dir, 'full');
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: out,
        learningRate: 3e-3,
        maxSteps: 24,
        perDeviceTrainBatchSize: 4,
        loggingSteps: 4,
      },
      trainDataset: rows,
      tracker,
    });
    await trainer.train();
    const losses = logged.filter(([m]) => 'loss' in m).map(([m]) => m.loss as number);
    expect(losses[0]).toBeGreaterThan(4.5); // ~ln(258) at init
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) - 1.5);

    const reloaded = await AutoModelForCausalLM.fromPretrained<LlamaForCausalLM>(out);
    expect(reloaded.config.modelType).toBe('qwen2');
    const ids = tinyTokenizer().encode('the cat sat');
    const logits = (m: LlamaForCausalLM) =>
      tf.tidy(() => m.forward({ inputIds: tf.tensor2d([ids], undefined, 'int32') }).logits.dataSync());
    expect(Array.from(logits(reloaded))).toEqual(Array.from(logits(model)));
    reloaded.dispose();
    model.dispose();
  });

  it('trains only the q_proj/v_proj LoRA factors and writes a PEFT adapter', async () => {
    const model = tinyLlama(5);
    const embedBefore = model.weights.embedTokens.dataSync().slice();
    const out = join(dir, 'lora');
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: { ...quiet, outputDir: out, learningRate: 1e-2, maxSteps: 4, saveStrategy: 'no' },
      trainDataset: rows,
      peft: {
        config: { r: 2, loraAlpha: 4, targetModules: ['q_proj', 'v_proj'] },
        apply: (m: LlamaForCausalLM, c) => addLora(m, c),
      },
    });
    const names = trainer.model.trainableVariables().map((p) => p.name);
    expect(names.length).toBe(2 * 2 * 2); // 2 layers × (q, v) × (A, B)
    expect(names.every((n) => /layers\.\d\.self_attn\.[qv]_proj\.lora_[AB]/.test(n))).toBe(true);
    const result = await trainer.train();
    expect(result.globalStep).toBe(4);
    expect(Array.from(model.weights.embedTokens.dataSync())).toEqual(Array.from(embedBefore));
    model.dispose();
  });

  it('keeps the tensor count stable across training and evaluation', async () => {
    const model = tinyLlama(6, { modelType: 'qwen3', tiedEmbeddings: false });
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'leak'),
        maxSteps: 2,
        perDeviceTrainBatchSize: 2,
        saveStrategy: 'no',
      },
      trainDataset: rows,
      evalDataset: rows,
    });
    const { afterFirst, afterSecond } = await tensorCountsOfTwoRounds(async () => {
      await trainer.train();
      trainer.evaluate();
    });
    expect(afterSecond).toBe(afterFirst);
    model.dispose();
  });
});
