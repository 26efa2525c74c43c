import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CausalLM,
  type CausalLMInput,
  type CausalLMOutput,
  embedding,
  linear,
  type Metrics,
  type NamedVariable,
  SPECIFICATION_VERSION,
  tf,
} from '@trl/core';
import { addLora, type Gpt2LMHeadModel } from '@trl/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFTTrainer } from '../src/trainer';
import {
  abortingTracker,
  collectingTracker,
  tensorCountsOfTwoRounds,
  tinyModel,
  tinyTokenizer,
  useTestBackend,
} from './helpers';

const rows = [
  { text: 'the cat sat on the mat' },
  { text: 'the dog sat on the log' },
  { text: 'a bird sat on a wire' },
  { text: 'the cat ate the rat' },
];

const quiet = { reportTo: ['none' as const], disableTqdm: true };
let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'trl-sft-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SFTTrainer', () => {
  it('lowers the loss on a tiny model and reports eval loss and perplexity', async () => {
    const model = tinyModel(1);
    const { tracker, logged } = collectingTracker();
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'falls'),
        learningRate: 3e-3,
        maxSteps: 30,
        perDeviceTrainBatchSize: 4,
        loggingSteps: 5,
        evalStrategy: 'steps',
        evalSteps: 30,
        saveStrategy: 'no',
      },
      trainDataset: rows,
      evalDataset: rows.slice(0, 2),
      tracker,
    });
    const before = trainer.evaluate();
    await trainer.train();
    const losses = logged.filter(([m]) => 'loss' in m).map(([m]) => m.loss as number);
    expect(losses[0]).toBeGreaterThan(4); // ~ln(258) at init
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) - 1.5);
    const evaluation = logged.find(([m]) => 'eval_loss' in m)?.[0] as Metrics;
    expect(evaluation.eval_loss).toBeLessThan(before.eval_loss as number);
    expect(evaluation.eval_perplexity).toBeCloseTo(Math.exp(evaluation.eval_loss as number), 6);
    expect(await readdir(join(dir, 'falls'))).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']),
    );
    model.dispose();
  });

  it.each([
    ['no dropout', 0],
    ['dropout 0.1, whose masks must continue the same stream', 0.1],
  ])(
    'resumes an interrupted run to the same weights as an uninterrupted one, bit for bit (%s)',
    async (label, dropout) => {
      const args = {
        ...quiet,
        learningRate: 1e-3,
        maxSteps: 6,
        perDeviceTrainBatchSize: 2,
        gradientAccumulationSteps: 1,
        warmupSteps: 2,
        saveSteps: 2,
        loggingSteps: 1,
      };
      const straight = tinyModel(2, dropout);
      await new SFTTrainer({
        model: straight,
        tokenizer: tinyTokenizer(),
        args: { ...args, outputDir: join(dir, `a-${dropout}`) },
        trainDataset: rows,
      }).train();

      const out = join(dir, `b-${dropout}`);
      const interrupted = tinyModel(2, dropout);
      const controller = new AbortController();
      const stopAt3 = abortingTracker(3, controller);
      const first = await new SFTTrainer({
        model: interrupted,
        tokenizer: tinyTokenizer(),
        args: { ...args, outputDir: out },
        trainDataset: rows,
        tracker: stopAt3,
      }).train({ signal: controller.signal });
      expect(first.globalStep).toBe(3);

      const resumedModel = tinyModel(99, dropout); // different init: everything must come from checkpoint-2
      const resumed = await new SFTTrainer({
        model: resumedModel,
        tokenizer: tinyTokenizer(),
        args: { ...args, outputDir: out, resumeFromCheckpoint: true },
        trainDataset: rows,
      }).train();
      expect(resumed.globalStep).toBe(6);
      const weights = (model: typeof straight) =>
        model.trainableVariables().map((p) => [p.name, Array.from(p.variable.dataSync())]);
      expect(weights(resumedModel), label).toEqual(weights(straight));
      const moved = straight.trainableVariables()[0]?.variable.dataSync()[0];
      expect(moved).not.toBe(tinyModel(2, dropout).trainableVariables()[0]?.variable.dataSync()[0]);
      for (const m of [straight, interrupted, resumedModel]) m.dispose();
    },
  );

  it('trains only LoRA adapters through a peft config and saves the adapter', async () => {
    const model = tinyModel(3);
    const baseBefore = model.weights.wte.dataSync().slice();
    const out = join(dir, 'lora');
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: { ...quiet, outputDir: out, learningRate: 1e-2, maxSteps: 3, saveStrategy: 'no' },
      trainDataset: rows,
      peft: { config: { r: 2, loraAlpha: 4 }, apply: (m: Gpt2LMHeadModel, c) => addLora(m, c) },
    });
    expect(trainer.model.trainableVariables().every((p) => p.name.includes('lora_'))).toBe(true);
    await trainer.train();
    expect([...model.weights.wte.dataSync()]).toEqual([...baseBefore]);
    expect(await readdir(out)).toEqual(
      expect.arrayContaining(['adapter_config.json', 'adapter_model.safetensors']),
    );
    model.dispose();
  });

  it('keeps the tensor count stable across training and evaluation', async () => {
    const model = tinyModel(6);
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

  it('packs rows into full chunks', () => {
    const model = tinyModel(4);
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: { ...quiet, packing: true, maxSeqLength: 16 },
      trainDataset: rows,
    });
    const total = rows.reduce((sum, row) => sum + row.text.length + 1, 0);
    expect(trainer.trainExamples).toHaveLength(Math.floor(total / 16));
    expect(trainer.trainExamples.every((example) => example.inputIds.length === 16)).toBe(true);
    const first = rows[0]?.text.length as number; // eos follows the first row's bytes, in the second chunk
    expect(trainer.trainExamples[1]?.inputIds[first - 16]).toBe(256);
    expect(trainer.trainExamples[0]?.inputIds).toEqual([...Buffer.from(rows[0]?.text ?? '')].slice(0, 16));
    model.dispose();
  });

  it('rejects bad settings and data before writing anything', async () => {
    const model = tinyModel(5);
    const tokenizer = tinyTokenizer();
    const out = join(dir, 'never');
    expect(
      () =>
        new SFTTrainer({ model, tokenizer, args: { outputDir: out, learningRate: -1 }, trainDataset: rows }),
    ).toThrow(/learningRate/);
    expect(
      () =>
        new SFTTrainer({
          model,
          tokenizer,
          args: { outputDir: out, max_seq_length: 32 } as never,
          trainDataset: rows,
        }),
    ).toThrow(/SFTTrainer: invalid config: max_seq_length: .*trl-ts spells it maxSeqLength/);
    expect(
      () =>
        new SFTTrainer({
          model,
          tokenizer,
          args: { outputDir: out, packin: true } as never,
          trainDataset: rows,
        }),
    ).toThrow('SFTTrainer: invalid config: packin: unknown option; did you mean packing?');
    expect(
      () => new SFTTrainer({ model, tokenizer, learningRate: 1e-4, trainDataset: rows } as never),
    ).toThrow(
      'SFTTrainer: invalid options: learningRate: unknown option; learningRate is a field of args; write args: { learningRate: … }',
    );
    expect(() => new SFTTrainer({ model, tokenizer, trainDatset: rows } as never)).toThrow(
      /did you mean trainDataset\?/,
    );
    expect(
      () =>
        new SFTTrainer({ model, tokenizer, args: { outputDir: out, maxSeqLength: 65 }, trainDataset: rows }),
    ).toThrow(/maxSeqLength 65 exceeds the model's 64 positions/);
    expect(
      () => new SFTTrainer({ model, tokenizer, args: { outputDir: out }, trainDataset: [{ body: 'x' }] }),
    ).toThrow(/no string field "text"/);
    expect(
      () =>
        new SFTTrainer({
          model,
          tokenizer,
          args: { outputDir: out, responseTemplate: '###' },
          trainDataset: rows,
        }),
    ).toThrow(/never occurs/);
    const warnings: string[] = [];
    const partial = new SFTTrainer({
      model,
      tokenizer,
      args: { outputDir: out, responseTemplate: ' sat' },
      trainDataset: rows,
      onWarning: (message) => warnings.push(message),
    });
    expect(partial.datasetStats.train.withoutResponseTemplate).toBe(1);
    expect(warnings[0]).toMatch(/1 of 4 train rows do not contain the response template/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    model.dispose();
  });
});

/** A toy causal LM (embedding + tied head) that honours the embedding-noise hook, as the spec change would. */
function hookedModel(honourHook: boolean): CausalLM & { seen: number[] } {
  const wte = tf.variable(tf.randomNormal([258, 8], 0, 0.1, 'float32', 1)) as tf.Variable<tf.Rank.R2>;
  const seen: number[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    info: { modelType: 'toy', vocabSize: 258, maxPositions: 32, hiddenSize: 8, eosTokenId: 256 },
    seen,
    forward(input: CausalLMInput): CausalLMOutput {
      return tf.tidy(() => {
        let h = embedding(input.inputIds, wte) as tf.Tensor3D;
        if (honourHook && input.training && input.embeddingNoise) {
          const noisy = input.embeddingNoise(h);
          seen.push(tf.max(tf.abs(tf.sub(noisy, h))).dataSync()[0] as number);
          h = noisy;
        }
        const [b, l, d] = h.shape;
        return {
          logits: tf.reshape(linear(tf.reshape(h, [b * l, d]), tf.transpose(wte)), [
            b,
            l,
            258,
          ]) as tf.Tensor3D,
        };
      });
    },
    generate: async () => [],
    trainableVariables: (): NamedVariable[] => [{ name: 'wte', variable: wte, decay: true }],
    savePretrained: async () => undefined,
    dispose: () => wte.dispose(),
  };
}

describe('NEFTune wiring', () => {
  it('passes noise of magnitude alpha/sqrt(L·d) to a model that supports the hook, in training only', async () => {
    const model = hookedModel(true);
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'neftune'),
        neftuneNoiseAlpha: 5,
        maxSteps: 2,
        perDeviceTrainBatchSize: 4,
        saveStrategy: 'no',
      },
      trainDataset: rows,
      evalDataset: rows,
    });
    await trainer.train();
    trainer.evaluate();
    expect(model.seen).toHaveLength(2); // evaluation adds no noise
    const length = Math.max(...rows.map((row) => row.text.length));
    for (const max of model.seen) {
      expect(max).toBeLessThanOrEqual(5 / Math.sqrt(length * 8) + 1e-6);
      expect(max).toBeGreaterThan(0.8 * (5 / Math.sqrt(length * 8)));
    }
    model.dispose();
  });

  it('explains when the model ignores the hook', async () => {
    const model = hookedModel(false);
    const trainer = new SFTTrainer({
      model,
      tokenizer: tinyTokenizer(),
      args: {
        ...quiet,
        outputDir: join(dir, 'neftune-no'),
        neftuneNoiseAlpha: 5,
        maxSteps: 1,
        saveStrategy: 'no',
      },
      trainDataset: rows,
    });
    await expect(trainer.train()).rejects.toThrow(/ignored `embeddingNoise`/);
    model.dispose();
  });

  it('trains GPT-2 with NEFTune noise on its token embeddings (training loss differs, eval does not)', async () => {
    const run = async (alpha: number | undefined) => {
      const model = tinyModel(4);
      const { tracker, logged } = collectingTracker();
      const trainer = new SFTTrainer({
        model,
        tokenizer: tinyTokenizer(),
        args: {
          ...quiet,
          outputDir: join(dir, `gpt2-neftune-${alpha ?? 'off'}`),
          learningRate: 0,
          maxSteps: 1,
          loggingSteps: 1,
          perDeviceTrainBatchSize: 4,
          saveStrategy: 'no',
          ...(alpha === undefined ? {} : { neftuneNoiseAlpha: alpha }),
        },
        trainDataset: rows,
        evalDataset: rows,
        tracker,
      });
      await trainer.train();
      const evalLoss = trainer.evaluate().eval_loss as number;
      model.dispose();
      return { trainLoss: logged.find(([m]) => 'loss' in m)?.[0].loss as number, evalLoss };
    };
    const plain = await run(undefined);
    const noisy = await run(50);
    expect(Math.abs(noisy.trainLoss - plain.trainLoss)).toBeGreaterThan(1e-4);
    expect(noisy.evalLoss).toBeCloseTo(plain.evalLoss, 5);
  });
});
