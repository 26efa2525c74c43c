import { AdamW, clipGradNorm, createLrSchedule, crossEntropy, Rng, tf } from '@trl/core';
import { padTokenIdOf } from './transcript.ts';

const IGNORE_INDEX = -100;

/**
 * One language-modelling batch: each review's ids plus eos, right-padded; inputs are `ids[:-1]`,
 * labels `ids[1:]` with -100 on padding (causal attention never lets a real token see the padding).
 */
export function buildLmBatch(rows, padTokenId) {
  const width = Math.max(...rows.map((ids) => ids.length)) - 1;
  const inputs = rows.map((ids) =>
    Array.from({ length: width }, (_, t) => (t < ids.length - 1 ? ids[t] : padTokenId)),
  );
  const labels = rows.map((ids) =>
    Array.from({ length: width }, (_, t) => (t < ids.length - 1 ? ids[t + 1] : IGNORE_INDEX)),
  );
  return { inputs, labels };
}

/**
 * One SFT batch of token-masked examples: right-padded inputs (`ids[:-1]`) and next-token labels
 * (`ids[1:]`), with -100 wherever `trainOn` is false (prompts, tool output) and on padding, so only
 * the model's own turns are learned. Causal attention never lets a real token see right padding, so
 * no attention mask is needed.
 * @param {{ ids: number[], trainOn: boolean[] }[]} examples
 * @param {number} padTokenId
 */
export function buildSftBatch(examples, padTokenId) {
  const width = Math.max(...examples.map((example) => example.ids.length)) - 1;
  const inputs = [];
  const labels = [];
  for (const { ids, trainOn } of examples) {
    const inputRow = new Array(width).fill(padTokenId);
    const labelRow = new Array(width).fill(IGNORE_INDEX);
    for (let t = 0; t < ids.length - 1; t++) {
      inputRow[t] = ids[t];
      if (trainOn[t + 1]) labelRow[t] = ids[t + 1];
    }
    inputs.push(inputRow);
    labels.push(labelRow);
  }
  return { inputs, labels };
}

/**
 * SFT warm start on freshly drawn token-masked examples (`sampleExamples(batchSize, rng)` each step,
 * e.g. tool transcripts whose tool output is not trained on). AdamW with warmup + cosine decay and
 * gradient clipping; logs `sft/loss` and `sft/lr` every `logEvery` steps and on the last one.
 * @param {{
 *   model: import('@trl/core').CausalLM,
 *   sampleExamples: ((batchSize: number, rng: import('@trl/core').Rng) => { ids: number[], trainOn: boolean[] }[]) | undefined,
 *   padTokenId: number,
 *   config: { steps?: number, batchSize?: number, learningRate?: number, warmupSteps?: number, seed?: number, logEvery?: number },
 *   tracker: import('@trl/core').Tracker,
 *   onProgress?: (step: number, loss: number) => void | Promise<void>,
 * }} options
 * @returns {Promise<{ finalLoss: number }>}
 */
export async function runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress }) {
  if (typeof sampleExamples !== 'function')
    throw new Error(
      'runMaskedSft: `sampleExamples` must be a function (batchSize, rng) => { ids, trainOn }[].',
    );
  const { steps, batchSize, learningRate, warmupSteps, seed, logEvery } = config;
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
        }),
      variables.map((v) => v.variable),
    );
    clipGradNorm(grads, 1.0);
    optimizer.step(grads);
    if (step % logEvery === 0 || step === steps - 1) {
      lastLoss = (await value.data())[0];
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
 * @param {{
 *   model: import('@trl/core').CausalLM,
 *   tokenizer: import('@trl/core').Tokenizer,
 *   sampleTexts: ((batchSize: number, rng: import('@trl/core').Rng) => string[]) | undefined,
 *   config: { steps?: number, batchSize?: number, learningRate?: number, warmupSteps?: number, seed?: number, logEvery?: number },
 *   tracker: import('@trl/core').Tracker,
 *   onProgress?: (step: number, loss: number) => void | Promise<void>,
 * }} options
 * @returns {Promise<{ finalLoss: number }>}
 */
export async function runSft({ model, tokenizer, sampleTexts, config, tracker, onProgress }) {
  if (typeof sampleTexts !== 'function')
    throw new Error('runSft: `sampleTexts` must be a function (batchSize, rng) => string[].');
  const eos = tokenizer.eosTokenId;
  const sampleExamples = (batchSize, rng) =>
    sampleTexts(batchSize, rng).map((text) => {
      const ids = [...tokenizer.encode(text), eos];
      return { ids, trainOn: ids.map(() => true) };
    });
  const padTokenId = padTokenIdOf(tokenizer);
  return runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress });
}
