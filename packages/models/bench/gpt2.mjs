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
import { configFor, createModel, parseArgs, runMode, setup } from './harness.mjs';
import { countParams, measureSample, measureTrain } from './modes.mjs';

/** N of the comparator's FLOP count: every matmul weight, so not the position embedding. */
const matmulParams = (model) => countParams(model) - model.weights.wpe.size;

async function benchTrain(cfg, args) {
  const model = createModel(cfg, args.seed);
  return measureTrain(model, cfg, args, { matmulParams: matmulParams(model) });
}

async function benchSample(cfg, args) {
  const model = createModel(cfg, args.seed);
  return measureSample(model, cfg, args, { matmulParams: matmulParams(model) });
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
