#!/usr/bin/env node
// Sampling speed of a Llama-family checkpoint (e.g. the 4-layer SmolLM2-135M-shape model that
// /tmp-style scripts save with transformers): generate with the KV cache, multinomial at temperature
// 1, batch x prompt ids, every row running the full budget; one JSON line per engine run.
//
//   node bench/llama-sample.mjs --dir /tmp/llama4 [--backend wasm] [--native] [--batch 8]
//                               [--prompt 16] [--new 32] [--steps 3]
import { initBackend, Rng } from '@trl/core';
import { AutoModelForCausalLM } from '@trl/models';
import { randomIds } from './harness.mjs';

const args = { dir: undefined, backend: 'wasm', native: false, batch: 8, prompt: 16, new: 32, steps: 3 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  if (flag === '--native') args.native = true;
  else if (flag === '--dir' || flag === '--backend') args[flag.slice(2)] = argv[++i];
  else if (['--batch', '--prompt', '--new', '--steps'].includes(flag))
    args[flag.slice(2)] = Number(argv[++i]);
  else throw new Error(`unknown flag ${flag}; see the header of bench/llama-sample.mjs`);
}
if (!args.dir) throw new Error('--dir: a Llama-family checkpoint folder');
if (args.native) {
  // By path, as harness.mjs does: the benches' packages do not depend on @trl/native.
  const { registerNativeKernels, registerNativeDecoder } = await import(
    new URL('../../native/dist/index.js', import.meta.url).href
  );
  if (args.backend === 'wasm') registerNativeKernels();
  else registerNativeDecoder();
}
await initBackend(args.backend);
const model = await AutoModelForCausalLM.fromPretrained(args.dir);
const prompts = randomIds(new Rng(0), args.batch, args.prompt, model.info.vocabSize);
const times = [];
for (let step = 0; step <= args.steps; step++) {
  const start = performance.now();
  await model.generate(prompts, {
    maxNewTokens: args.new,
    doSample: true,
    temperature: 1,
    seed: step,
    minNewTokens: args.new,
  });
  if (step > 0) times.push((performance.now() - start) / 1000);
}
const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    impl: 'trl-ts',
    mode: 'sample',
    config: 'llama',
    backend: args.backend,
    native: args.native,
    tokens_per_s: Math.round(((args.batch * args.new) / median) * 10) / 10,
    batch: args.batch,
    prompt: args.prompt,
    new_tokens: args.new,
  }),
);
model.dispose();
