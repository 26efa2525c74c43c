#!/usr/bin/env node
// Generation throughput with tensor-op decoding against the native decoder, in one process and
// alternating, so the ratio holds even on a busy machine (CPU time is printed beside wall time).
//
//   node bench/generate.mjs [--config tiny small] [--threads 1|2] [--repeats 3]
//
// The comparator's sample mode: batch 8, 16-token prompts, 64 new tokens, multinomial at temperature 1.
// Needs the built packages (`pnpm build`).
import { performance } from 'node:perf_hooks';
import { initBackend } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';
import { nativeKernelStatus, registerNativeKernels } from '@trl/native';
import { CONFIGS as COMPARATOR_CONFIGS, comparatorGpt2Config } from '../../models/bench/comparator.mjs';

const CONFIGS = { tiny: COMPARATOR_CONFIGS.tiny, small: COMPARATOR_CONFIGS.small };

function parseArgs(argv) {
  const args = { config: ['tiny', 'small'], threads: 1, repeats: 3 };
  for (let i = 0; i < argv.length; i++) {
    const values = [];
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
    const flag = argv[i - values.length];
    if (flag === '--config') args.config = values;
    else if (flag === '--threads') args.threads = Number(values[0]);
    else if (flag === '--repeats') args.repeats = Number(values[0]);
    else throw new Error(`unknown flag ${flag}; see the header of bench/generate.mjs`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
await initBackend('wasm');
if (!registerNativeKernels({ threads: args.threads }))
  throw new Error(`no native kernels: ${nativeKernelStatus().reason}`);
for (const name of args.config) {
  const cfg = CONFIGS[name];
  const model = Gpt2LMHeadModel.create(comparatorGpt2Config(cfg));
  const prompts = Array.from({ length: 8 }, (_, b) =>
    Array.from({ length: 16 }, (_, i) => (b * 31 + i * 7) % cfg.vocab),
  );
  const generate = (fastDecoder, seed) =>
    model.generate(prompts, { maxNewTokens: 64, doSample: true, temperature: 1, seed, fastDecoder });
  await generate(false, 0);
  await generate(true, 0);
  for (const fastDecoder of [false, true, false, true]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < args.repeats; i++) await generate(fastDecoder, i);
    const wallMs = (performance.now() - t0) / args.repeats;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / args.repeats;
    console.log(
      JSON.stringify({
        config: name,
        decoder: fastDecoder ? 'native' : 'tensor',
        threads: args.threads,
        tokens_per_s: Math.round((512 / wallMs) * 1000),
        tokens_per_cpu_s: Math.round((512 / cpuMs) * 1000),
        wall_ms: Math.round(wallMs),
      }),
    );
  }
  model.dispose();
}
