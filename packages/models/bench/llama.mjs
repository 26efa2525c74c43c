#!/usr/bin/env node
// Llama throughput benchmark for @trl/models, the TypeScript side of ./llama_bench.py (the project-local
// Llama comparator): config `llama` (SmolLM2-135M's shape), modes train and sample with the GPT-2
// comparator's definitions, one JSON line per measurement with the same fields as bench/gpt2.mjs.
//
//   node bench/llama.mjs --config llama --mode train sample [--steps 3] [--warmup 1] [--max-seconds 60]
//                        [--backend wasm] [--native [--native-threads 1|2]] [--batch N] [--dir DIR]
//
// --dir loads the checkpoint folder llama_bench.py saved with transformers (the same weights torch
// runs); without it the model is a seeded random init of the same shape (speed does not depend on
// the values). Sample records say whether @trl/native's rotary decoder took the generation
// (`native_decoder`). Needs the built packages (`pnpm build`).
import { Rng } from '@trl/core';
import { AutoModelForCausalLM, LlamaForCausalLM } from '@trl/models';
import { comparatorLlamaConfig, LLAMA_CONFIGS } from './comparator.mjs';
import { parseArgs, randomIds, runMode, setup } from './harness.mjs';
import { countParams, measureSample, measureTrain, SAMPLE_SHAPE } from './modes.mjs';

async function loadModel(cfg, args) {
  if (args.dir) return AutoModelForCausalLM.fromPretrained(args.dir);
  return LlamaForCausalLM.create(comparatorLlamaConfig(cfg), { seed: args.seed });
}

// llama_bench.py counts N as every parameter once (RoPE has no position embedding to leave out).
async function benchTrain(cfg, args) {
  const model = await loadModel(cfg, args);
  return measureTrain(model, cfg, args, {
    matmulParams: countParams(model),
    extra: { n_kv_head: cfg.n_kv_head },
  });
}

async function benchSample(cfg, args) {
  const model = await loadModel(cfg, args);
  const { batch, promptLen, newTokens } = SAMPLE_SHAPE;
  // Whether generate will run on the registered fast decoder: ask the model the way generate does,
  // with the prompts measureSample draws (same seed).
  const prompts = randomIds(new Rng(args.seed), batch, promptLen, cfg.vocab);
  const probe = model.fastDecoding(
    prompts,
    0,
    Array.from(prompts, () => ({ budget: newTokens })),
  );
  const nativeDecoder = probe !== undefined;
  probe?.dispose();
  return measureSample(model, cfg, args, {
    matmulParams: countParams(model),
    // eos is id 0 in SmolLM2's config: keep every row to the full budget, as the comparator does.
    generateOptions: { minNewTokens: newTokens },
    extra: { n_kv_head: cfg.n_kv_head, native_decoder: nativeDecoder },
  });
}

const BENCHES = { train: benchTrain, sample: benchSample };

async function main() {
  const args = parseArgs(process.argv.slice(2), {
    modes: Object.keys(BENCHES),
    usage: 'bench/llama.mjs',
    configs: LLAMA_CONFIGS,
    defaultConfig: 'llama',
  });
  const env = await setup(args);
  for (const name of args.config) {
    const cfg =
      args.batch === undefined ? LLAMA_CONFIGS[name] : { ...LLAMA_CONFIGS[name], batch: args.batch };
    for (const mode of args.mode) await runMode({ mode, name, cfg, args, env, bench: BENCHES[mode] });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
