import { AdamW, clipGradNorm, createLrSchedule, crossEntropy, Rng, tf } from '@trl/core';
import { sampleFrom } from './entities.mjs';
import { encodeTranscript, toolQuery, transcriptSegments } from './protocol.mjs';

const IGNORE_INDEX = -100;

/**
 * One SFT batch: right-padded inputs (`ids[:-1]`) and next-token labels (`ids[1:]`), with -100 on
 * question, tool-response and padding positions so only the model's own turns are learned. Causal
 * attention never lets a real token see right padding, so no attention mask is needed.
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
 * Supervised warm start on freshly drawn transcripts of `pool`'s questions: each searches the wiki
 * with probability `toolFraction` (its passage from `responses`, what the tool returns for the
 * question's query), otherwise answers from memory. AdamW with warmup + cosine decay and gradient clipping;
 * logs `sft/loss` to `tracker` every `logEvery` steps.
 */
export async function runSft({ model, tokenizer, pool, responses, config, tracker, onProgress }) {
  const { steps, batchSize, learningRate, warmupSteps, toolFraction, seed, logEvery } = config;
  const rng = new Rng(seed);
  const variables = model.trainableVariables();
  const optimizer = new AdamW(variables, { learningRate, weightDecay: 0.01, checkFinite: false });
  const schedule = createLrSchedule({ kind: 'cosine', baseLr: learningRate, warmupSteps, totalSteps: steps });
  const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId;
  let lastLoss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    optimizer.setLearningRate(schedule(step));
    const examples = sampleFrom(pool, batchSize, rng).map((question) => {
      const kind = rng.next() < toolFraction ? 'tool' : 'direct';
      const segments = transcriptSegments(question, kind, responses.get(toolQuery(question)));
      return encodeTranscript(segments, tokenizer);
    });
    const { inputs, labels } = buildSftBatch(examples, padTokenId);
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
