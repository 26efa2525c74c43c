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
import { AdamW, Rng, tf } from '@trl/core';
import { AutoModelForCausalLM, LlamaForCausalLM } from '@trl/models';
import { comparatorLlamaConfig, LLAMA_CONFIGS } from './comparator.mjs';
import {
  COMPARATOR_ADAMW,
  crossEntropyTrainStep,
  nextTokenBatch,
  parseArgs,
  randomIds,
  runMode,
  setup,
  timedSteps,
} from './harness.mjs';

async function loadModel(cfg, args) {
  if (args.dir) return AutoModelForCausalLM.fromPretrained(args.dir);
  return LlamaForCausalLM.create(comparatorLlamaConfig(cfg), { seed: args.seed });
}

/** Every parameter once (the tied head is the embedding), as llama_bench.py counts N. */
const countParams = (model) => model.namedWeights().reduce((sum, w) => sum + w.variable.size, 0);

async function benchTrain(cfg, args) {
  const model = await loadModel(cfg, args);
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, COMPARATOR_ADAMW);
  const { x, y } = nextTokenBatch(tf, randomIds(new Rng(args.seed), cfg.batch, cfg.seq + 1, cfg.vocab));
  const variables = params.map((p) => p.variable);
  const losses = [];
  const timing = await timedSteps(crossEntropyTrainStep({ model, optimizer, variables, x, y, losses }), args);
  const total = countParams(model);
  const tokens = cfg.batch * cfg.seq;
  const flopsPerToken = 6 * total + 12 * cfg.n_layer * cfg.n_embd * cfg.seq;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    ...timing,
    tokens,
    flops: flopsPerToken * tokens,
    params: total,
    batch: cfg.batch,
    extra: { n_kv_head: cfg.n_kv_head, loss_first: losses[0], loss_last: losses.at(-1) },
  };
}

async function benchSample(cfg, args) {
  const model = await loadModel(cfg, args);
  const batch = 8;
  const promptLen = 16;
  const newTokens = 64;
  const prompts = randomIds(new Rng(args.seed), batch, promptLen, cfg.vocab);
  // Whether generate will run on the registered fast decoder: ask the model the way generate does.
  const probe = model.fastDecoding(
    prompts,
    0,
    Array.from(prompts, () => ({ budget: newTokens })),
  );
  const nativeDecoder = probe !== undefined;
  probe?.dispose();
  let seed = args.seed;
  const generate = async () => {
    const results = await model.generate(prompts, {
      maxNewTokens: newTokens,
      // eos is id 0 in SmolLM2's config: keep every row to the full budget, as the comparator does.
      minNewTokens: newTokens,
      doSample: true,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed: seed++,
    });
    if (results.some((r) => r.tokenIds.length !== newTokens)) throw new Error('a row stopped early');
  };
  const timing = await timedSteps(generate, args);
  const total = countParams(model);
  const L = cfg.n_layer;
  const d = cfg.n_embd;
  let flops = batch * (promptLen * 2 * total + 4 * L * d * promptLen * promptLen);
  for (let c = promptLen + 1; c < promptLen + newTokens; c++) flops += batch * (2 * total + 4 * L * d * c);
  model.dispose();
  return {
    ...timing,
    tokens: batch * newTokens,
    flops,
    params: total,
    batch,
    extra: {
      n_kv_head: cfg.n_kv_head,
      sample_batch: batch,
      prompt_len: promptLen,
      new_tokens: newTokens,
      top_k: 0,
      top_p: 1.0,
      native_decoder: nativeDecoder,
    },
  };
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
