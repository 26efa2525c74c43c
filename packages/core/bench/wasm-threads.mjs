#!/usr/bin/env node
// Single- vs multi-threaded wasm in Node, for packages/core/docs/wasm-threads.md. One process per
// thread count (the wasm module is chosen once per process), one JSON line per measurement:
//
//   node bench/wasm-threads.mjs matmul --threads 1|2 [--sizes 512 1024 2048]
//   node bench/wasm-threads.mjs gpt2 --threads 1|2 [--steps 3]      (GPT-2 `small` train step)
//   node bench/wasm-threads.mjs dump --threads 1|2 --out FILE       (GPT-2 `small` logits, for diffing)
//
// Needs built packages (`pnpm build`); TRL_CORE_DIST overrides where @trl/core's build is read from.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  COMPARATOR_ADAMW,
  CONFIGS,
  comparatorGpt2Config,
  nextTokenBatch,
  randomIds,
} from '../../models/bench/comparator.mjs';

const [what, ...rest] = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = rest.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values = [];
  for (let j = i + 1; j < rest.length && !rest[j].startsWith('--'); j++) values.push(rest[j]);
  return values;
};
const threads = Number(flag('threads', ['1'])[0]);
const core = await import(process.env.TRL_CORE_DIST ?? '../dist/index.js');
const { tf } = core;
const info = await core.initBackend('wasm', { threads });
const load = () => Math.round(os.loadavg()[0] * 100) / 100;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const emit = (record) =>
  console.log(JSON.stringify({ what, threads: info.threads, ...record, load1: load() }));

function cpuSeconds(since) {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
}

if (what === 'matmul') {
  for (const n of flag('sizes', ['512', '1024', '2048']).map(Number)) {
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    const reps = Math.max(3, Math.round(2e10 / n ** 3));
    tf.matMul(a, b).dispose();
    const times = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      times.push((performance.now() - t0) / 1e3);
      c.dispose();
    }
    const cpu = cpuSeconds(cpu0) / reps;
    const med = median(times);
    emit({
      n,
      reps,
      gflops: Math.round((2 * n ** 3) / med / 1e7) / 100,
      ms: Math.round(med * 1e4) / 10,
      cpu_s: Math.round(cpu * 1e3) / 1e3,
    });
    tf.dispose([a, b]);
  }
} else if (what === 'gpt2' || what === 'dump') {
  const { Gpt2LMHeadModel } = await import(process.env.TRL_MODELS_DIST ?? '../../models/dist/index.js');
  // models/bench/gpt2.mjs's `small` config, dropout off as there.
  const cfg = CONFIGS.small;
  const model = Gpt2LMHeadModel.create(comparatorGpt2Config(cfg), { seed: 0 });
  const rng = new core.Rng(0);
  const { x, y } = nextTokenBatch(tf, randomIds(rng, cfg.batch, cfg.seq + 1, cfg.vocab));
  if (what === 'dump') {
    const logits = model.forward({ inputIds: x, training: false }).logits;
    writeFileSync(flag('out')[0], Buffer.from((await logits.data()).buffer));
    emit({ shape: logits.shape });
  } else {
    const params = model.trainableVariables();
    const optimizer = new core.AdamW(params, COMPARATOR_ADAMW);
    const variables = params.map((p) => p.variable);
    const losses = [];
    const step = async () => {
      const { value, grads } = tf.variableGrads(
        () => core.crossEntropy(model.forward({ inputIds: x, training: true }).logits, y),
        variables,
      );
      optimizer.step(grads);
      losses.push((await value.data())[0]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step();
    const steps = Number(flag('steps', ['3'])[0]);
    const times = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step();
      times.push((performance.now() - t0) / 1e3);
    }
    const cpu = cpuSeconds(cpu0) / steps;
    const matmulParams =
      model.namedWeights().reduce((s, w) => s + w.variable.size, 0) - model.weights.wpe.size;
    const flops = (6 * matmulParams + 12 * cfg.n_layer * cfg.n_embd * cfg.seq) * cfg.batch * cfg.seq;
    const med = median(times);
    emit({
      step_s: Math.round(med * 100) / 100,
      steps: times.map((t) => Math.round(t * 100) / 100),
      gflops: Math.round(flops / med / 1e7) / 100,
      cpu_s_per_step: Math.round(cpu * 100) / 100,
      loss_first: losses[0],
      loss_last: losses.at(-1),
    });
  }
} else {
  throw new Error(
    `unknown benchmark '${what}': use matmul, gpt2 or dump (see the header of bench/wasm-threads.mjs)`,
  );
}
