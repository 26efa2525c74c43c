// The comparator's train and sample modes on any causal LM (bench/gpt2.mjs, bench/llama.mjs): the same
// data, optimizer, generation budget and FLOP accounting as /work/shared/bench/torch/gpt2_bench.py.
// Each takes ownership of the model and disposes it.
import { AdamW, Rng, tf } from '@trl/core';
import {
  COMPARATOR_ADAMW,
  crossEntropyTrainStep,
  nextTokenBatch,
  randomIds,
  timedSteps,
} from './harness.mjs';

/** The sample mode's fixed shape: batch 8, 16-token prompts, 64 new tokens. */
export const SAMPLE_SHAPE = { batch: 8, promptLen: 16, newTokens: 64 };

/** Every parameter once (a tied head is the embedding). */
export const countParams = (model) => model.namedWeights().reduce((sum, w) => sum + w.variable.size, 0);

/**
 * Full fine-tuning steps: cross-entropy on one fixed random batch, AdamW. `matmulParams` is N of the
 * comparator's `6N + 12·L·d·T` FLOPs per token; `extra` joins the record's extra fields.
 */
export async function measureTrain(model, cfg, args, { matmulParams, extra = {} }) {
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, COMPARATOR_ADAMW);
  const { x, y } = nextTokenBatch(tf, randomIds(new Rng(args.seed), cfg.batch, cfg.seq + 1, cfg.vocab));
  const variables = params.map((p) => p.variable);
  const losses = [];
  const timing = await timedSteps(crossEntropyTrainStep({ model, optimizer, variables, x, y, losses }), args);
  const total = countParams(model);
  const tokens = cfg.batch * cfg.seq;
  const flopsPerToken = 6 * matmulParams + 12 * cfg.n_layer * cfg.n_embd * cfg.seq;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    ...timing,
    tokens,
    flops: flopsPerToken * tokens,
    params: total,
    batch: cfg.batch,
    extra: { ...extra, loss_first: losses[0], loss_last: losses.at(-1) },
  };
}

/**
 * Multinomial sampling at temperature 1 of {@link SAMPLE_SHAPE} with a KV cache; every row must use its
 * whole budget. `generateOptions` joins the generate options; FLOPs count the prefill and each new
 * token's attention over its context.
 */
export async function measureSample(model, cfg, args, { matmulParams, generateOptions = {}, extra = {} }) {
  const { batch, promptLen, newTokens } = SAMPLE_SHAPE;
  const prompts = randomIds(new Rng(args.seed), batch, promptLen, cfg.vocab);
  let seed = args.seed;
  const generate = async () => {
    const results = await model.generate(prompts, {
      maxNewTokens: newTokens,
      doSample: true,
      temperature: 1,
      topK: 0,
      topP: 1,
      ...generateOptions,
      seed: seed++,
    });
    if (results.some((r) => r.tokenIds.length !== newTokens)) throw new Error('a row stopped early');
  };
  const timing = await timedSteps(generate, args);
  const L = cfg.n_layer;
  const d = cfg.n_embd;
  let flops = batch * (promptLen * 2 * matmulParams + 4 * L * d * promptLen * promptLen);
  for (let c = promptLen + 1; c < promptLen + newTokens; c++)
    flops += batch * (2 * matmulParams + 4 * L * d * c);
  const params = countParams(model);
  model.dispose();
  return {
    ...timing,
    tokens: batch * newTokens,
    flops,
    params,
    batch,
    extra: {
      ...extra,
      sample_batch: batch,
      prompt_len: promptLen,
      new_tokens: newTokens,
      top_k: 0,
      top_p: 1.0,
    },
  };
}
