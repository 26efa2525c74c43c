#!/usr/bin/env node
// GPT-2 throughput benchmark for @trl/models, the TypeScript side of /work/shared/bench/torch/gpt2_bench.py:
// same configs, same modes, same FLOP accounting and the same JSON fields, one line per measurement,
// plus memory fields (tensors_*, peak_rss_mb). The PPO step lives in ../ppo/bench/ppo-step.mjs.
//
//   node bench/gpt2.mjs --config tiny small --mode train sample [--steps 5] [--warmup 2] [--backend wasm]
//                       [--native [--native-threads 1|2]] [--profile] [--batch N]
//
// --native registers @trl/native's matmul kernels (wasm only); --profile times every kernel over the
// measured steps (table on stderr, a "kind":"profile" JSON line on stdout); --batch replaces the
// config's batch size. See bench/README.md.
// Needs the built packages (`pnpm build`): it imports @trl/models and @trl/core from their dist.
import { AdamW, Rng, tf } from '@trl/core';
import {
  COMPARATOR_ADAMW,
  configFor,
  createModel,
  crossEntropyTrainStep,
  nextTokenBatch,
  parseArgs,
  randomIds,
  runMode,
  setup,
  timedSteps,
} from './harness.mjs';

function countParams(model) {
  const total = model.namedWeights().reduce((sum, w) => sum + w.variable.size, 0);
  return { total, matmul: total - model.weights.wpe.size };
}

async function benchTrain(cfg, args) {
  const model = createModel(cfg, args.seed);
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, COMPARATOR_ADAMW);
  const rng = new Rng(args.seed);
  const data = randomIds(rng, cfg.batch, cfg.seq + 1, cfg.vocab);
  const { x, y } = nextTokenBatch(tf, data);
  const variables = params.map((p) => p.variable);
  const losses = [];
  const step = crossEntropyTrainStep({ model, optimizer, variables, x, y, losses });
  const timing = await timedSteps(step, args);
  const { total, matmul } = countParams(model);
  const tokens = cfg.batch * cfg.seq;
  const flopsPerToken = 6 * matmul + 12 * cfg.n_layer * cfg.n_embd * cfg.seq;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    ...timing,
    tokens,
    flops: flopsPerToken * tokens,
    params: total,
    batch: cfg.batch,
    extra: { loss_first: losses[0], loss_last: losses.at(-1) },
  };
}

async function benchSample(cfg, args) {
  const model = createModel(cfg, args.seed);
  const batch = 8;
  const promptLen = 16;
  const newTokens = 64;
  const rng = new Rng(args.seed);
  const prompts = randomIds(rng, batch, promptLen, cfg.vocab);
  let seed = args.seed;
  const generate = async () => {
    const results = await model.generate(prompts, {
      maxNewTokens: newTokens,
      doSample: true,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed: seed++,
    });
    if (results.some((r) => r.tokenIds.length !== newTokens)) throw new Error('a row stopped early');
  };
  const timing = await timedSteps(generate, args);
  const { total, matmul } = countParams(model);
  const L = cfg.n_layer;
  const d = cfg.n_embd;
  let flops = batch * (promptLen * 2 * matmul + 4 * L * d * promptLen * promptLen);
  for (let c = promptLen + 1; c < promptLen + newTokens; c++) flops += batch * (2 * matmul + 4 * L * d * c);
  model.dispose();
  return {
    ...timing,
    tokens: batch * newTokens,
    flops,
    params: total,
    batch,
    extra: { sample_batch: batch, prompt_len: promptLen, new_tokens: newTokens, top_k: 0, top_p: 1.0 },
  };
}

const BENCHES = { train: benchTrain, sample: benchSample };

async function main() {
  const args = parseArgs(process.argv.slice(2), {
    modes: Object.keys(BENCHES),
    usage: 'bench/gpt2.mjs',
  });
  const env = await setup(args);
  for (const name of args.config) {
    for (const mode of args.mode) {
      await runMode({ mode, name, cfg: configFor(name, args), args, env, bench: BENCHES[mode] });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
