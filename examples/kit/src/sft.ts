import {
  AdamW,
  type CausalLM,
  clipGradNorm,
  createLrSchedule,
  crossEntropy,
  Rng,
  type Tokenizer,
  type Tracker,
  tf,
} from '@trl/core';
import { IGNORE_INDEX, type NextTokenBatch, nextTokenBatch, pretokenizedExample } from '@trl/sft';
import { padTokenIdOf } from './transcript';

/** A token-masked example: its ids and, per id, whether the model learns it (false for prompts, tool output). */
export interface MaskedExample {
  ids: number[];
  trainOn: boolean[];
}

/** One batch as the SFT loops feed it: inputs `ids[:-1]` and next-token labels `ids[1:]`. */
export interface SftBatch {
  inputs: number[][];
  labels: number[][];
}

/** The warm-start settings; every field is required at run time (the examples' configs give them all). */
export interface SftLoopConfig {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  warmupSteps?: number;
  seed?: number;
  logEvery?: number;
}

/** Called after each logged step with its loss. */
export type SftProgress = (step: number, loss: number) => void | Promise<void>;

const asSftBatch = ({ inputIds, labels }: NextTokenBatch): SftBatch => ({ inputs: inputIds, labels });

/**
 * One language-modelling batch: each review's ids plus eos, right-padded; inputs are `ids[:-1]`,
 * labels `ids[1:]` with -100 on padding (causal attention never lets a real token see the padding).
 */
export function buildLmBatch(rows: readonly number[][], padTokenId: number): SftBatch {
  return asSftBatch(
    nextTokenBatch(
      rows.map((ids, index) => pretokenizedExample({ input_ids: ids }, index, { owner: 'buildLmBatch' })),
      padTokenId,
    ),
  );
}

/**
 * One SFT batch of token-masked examples: right-padded inputs (`ids[:-1]`) and next-token labels
 * (`ids[1:]`), with -100 wherever `trainOn` is false (prompts, tool output) and on padding, so only
 * the model's own turns are learned. The examples are @trl/sft pre-tokenized rows (`trainOn` is their
 * `completion_mask`), batched by its `nextTokenBatch`.
 */
export function buildSftBatch(examples: readonly MaskedExample[], padTokenId: number): SftBatch {
  return asSftBatch(
    nextTokenBatch(
      examples.map(({ ids, trainOn }, index) =>
        pretokenizedExample(
          { input_ids: ids, completion_mask: trainOn.map((learned) => (learned ? 1 : 0)) },
          index,
          { owner: 'buildSftBatch' },
        ),
      ),
      padTokenId,
    ),
  );
}

/**
 * SFT warm start on freshly drawn token-masked examples (`sampleExamples(batchSize, rng)` each step,
 * e.g. tool transcripts whose tool output is not trained on). AdamW with warmup + cosine decay and
 * gradient clipping; logs `sft/loss` and `sft/lr` every `logEvery` steps and on the last one.
 */
export async function runMaskedSft({
  model,
  sampleExamples,
  padTokenId,
  config,
  tracker,
  onProgress,
}: {
  model: CausalLM;
  sampleExamples: ((batchSize: number, rng: Rng) => MaskedExample[]) | undefined;
  padTokenId: number;
  config: SftLoopConfig;
  tracker: Tracker;
  onProgress?: SftProgress;
}): Promise<{ finalLoss: number }> {
  if (typeof sampleExamples !== 'function')
    throw new Error(
      'runMaskedSft: `sampleExamples` must be a function (batchSize, rng) => { ids, trainOn }[].',
    );
  // The configs give every field; the casts keep the loop's arithmetic as it always was.
  const { steps, batchSize, learningRate, warmupSteps, seed, logEvery } = config as Required<SftLoopConfig>;
  const rng = new Rng(seed);
  const variables = model.trainableVariables();
  const optimizer = new AdamW(variables, { learningRate, weightDecay: 0.01, checkFinite: false });
  const schedule = createLrSchedule({ kind: 'cosine', baseLr: learningRate, warmupSteps, totalSteps: steps });
  let lastLoss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    optimizer.setLearningRate(schedule(step));
    const { inputs, labels } = buildSftBatch(sampleExamples(batchSize, rng), padTokenId);
    const inputIds = tf.tensor2d(inputs, undefined, 'int32');
    const labelIds = tf.tensor2d(labels, undefined, 'int32');
    const { value, grads } = tf.variableGrads(
      () =>
        crossEntropy(model.forward({ inputIds, training: true }).logits, labelIds, {
          ignoreIndex: IGNORE_INDEX,
        }) as tf.Scalar,
      variables.map((v) => v.variable),
    );
    clipGradNorm(grads, 1.0);
    optimizer.step(grads);
    if (step % logEvery === 0 || step === steps - 1) {
      lastLoss = (await value.data())[0] as number;
      await tracker.log({ 'sft/loss': lastLoss, 'sft/lr': optimizer.learningRate }, step);
      await onProgress?.(step, lastLoss);
    }
    tf.dispose([inputIds, labelIds, value, ...Object.values(grads)]);
  }
  optimizer.dispose();
  return { finalLoss: lastLoss };
}

/**
 * SFT warm start on freshly drawn texts (`sampleTexts(batchSize, rng)` each step), every token
 * trained on, so the policy already writes the example's kind of text before PPO (see
 * {@link runMaskedSft}, which this wraps).
 */
export async function runSft({
  model,
  tokenizer,
  sampleTexts,
  config,
  tracker,
  onProgress,
}: {
  model: CausalLM;
  tokenizer: Tokenizer;
  sampleTexts: ((batchSize: number, rng: Rng) => string[]) | undefined;
  config: SftLoopConfig;
  tracker: Tracker;
  onProgress?: SftProgress;
}): Promise<{ finalLoss: number }> {
  if (typeof sampleTexts !== 'function')
    throw new Error('runSft: `sampleTexts` must be a function (batchSize, rng) => string[].');
  const eos = tokenizer.eosTokenId;
  if (eos === undefined) throw new Error('runSft: the tokenizer has no eos id to end each text with.');
  const sampleExamples = (batchSize: number, rng: Rng): MaskedExample[] =>
    sampleTexts(batchSize, rng).map((text) => {
      const ids = [...tokenizer.encode(text), eos];
      return { ids, trainOn: ids.map(() => true) };
    });
  const padTokenId = padTokenIdOf({ padTokenId: tokenizer.padTokenId, eosTokenId: eos });
  return runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress });
}
