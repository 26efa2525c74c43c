import { AdamW, clipGradNorm, createLrSchedule, crossEntropy, Rng, tf } from '@trl/core';

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
 * SFT warm start on freshly drawn texts (`sampleTexts(batchSize, rng)` each step), so the policy
 * already writes the example's kind of text before PPO. AdamW with warmup + cosine decay and
 * gradient clipping; logs `sft/loss` and `sft/lr` every `logEvery` steps and on the last one.
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
  const { steps, batchSize, learningRate, warmupSteps, seed, logEvery } = config;
  const rng = new Rng(seed);
  const variables = model.trainableVariables();
  const optimizer = new AdamW(variables, { learningRate, weightDecay: 0.01, checkFinite: false });
  const schedule = createLrSchedule({ kind: 'cosine', baseLr: learningRate, warmupSteps, totalSteps: steps });
  const eos = tokenizer.eosTokenId;
  const padTokenId = tokenizer.padTokenId ?? eos;
  let lastLoss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    optimizer.setLearningRate(schedule(step));
    const rows = sampleTexts(batchSize, rng).map((text) => [...tokenizer.encode(text), eos]);
    const { inputs, labels } = buildLmBatch(rows, padTokenId);
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
