// Shared plumbing of the GPT-2 benchmarks (bench/gpt2.mjs here and ../ppo/bench/ppo-step.mjs): the
// comparator's configs, model and data (from ./comparator.mjs), the command line, backend setup (optionally with @trl/native), timed steps
// with memory tracking, the optional per-kernel profile, and the JSON record with the comparator's
// fields (/work/shared/bench/torch/gpt2_bench.py) plus our memory fields.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { crossEntropy, initBackend, tf } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';
import { CONFIGS, comparatorGpt2Config } from './comparator.mjs';
import { formatKernelTable, KernelProfiler } from './kernel-profiler.mjs';

export { COMPARATOR_ADAMW, CONFIGS, nextTokenBatch, randomIds } from './comparator.mjs';

/**
 * Parses the flags every bench shares. `modes` lists the modes this script runs; `usage` names the
 * script in error messages; `configs` the configs it knows (the GPT-2 ones unless given). `--dir` is
 * a checkpoint folder for the scripts that load one.
 */
export function parseArgs(
  argv,
  { modes, defaultModes = modes, usage, configs = CONFIGS, defaultConfig = 'tiny' },
) {
  const args = {
    config: [defaultConfig],
    mode: defaultModes,
    steps: 10,
    warmup: 2,
    maxSeconds: 150,
    backend: 'wasm',
    seed: 0,
    native: false,
    nativeThreads: undefined,
    profile: false,
    queryLen: 16,
    batch: undefined,
    dir: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const values = [];
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
    if (flag === '--config') args.config = values;
    else if (flag === '--mode') args.mode = values;
    else if (flag === '--steps') args.steps = Number(values[0]);
    else if (flag === '--warmup') args.warmup = Number(values[0]);
    else if (flag === '--max-seconds') args.maxSeconds = Number(values[0]);
    else if (flag === '--backend') args.backend = values[0];
    else if (flag === '--seed') args.seed = Number(values[0]);
    else if (flag === '--native') args.native = true;
    else if (flag === '--native-threads') args.nativeThreads = Number(values[0]);
    else if (flag === '--profile') args.profile = true;
    else if (flag === '--query-len') args.queryLen = Number(values[0]);
    else if (flag === '--batch') args.batch = Number(values[0]);
    else if (flag === '--dir') args.dir = values[0];
    else throw new Error(`unknown flag ${flag}; see the header of ${usage}`);
  }
  for (const c of args.config)
    if (!configs[c]) throw new Error(`--config ${c}: use ${Object.keys(configs).join(', ')}`);
  for (const m of args.mode) if (!modes.includes(m)) throw new Error(`--mode ${m}: use ${modes.join(', ')}`);
  if (!(Number.isInteger(args.steps) && args.steps >= 1)) throw new Error('--steps: a whole number >= 1');
  if (!(Number.isInteger(args.warmup) && args.warmup >= 0)) throw new Error('--warmup: a whole number >= 0');
  if (args.batch !== undefined && !(Number.isInteger(args.batch) && args.batch >= 1))
    throw new Error('--batch: a whole number >= 1');
  if (args.native && args.backend !== 'wasm') throw new Error('--native needs --backend wasm');
  if (args.nativeThreads !== undefined && ![1, 2].includes(args.nativeThreads))
    throw new Error('--native-threads: 1 or 2');
  return args;
}

/** The comparator's config `name`, with its batch replaced by `--batch` when given. */
export function configFor(name, args) {
  return args.batch === undefined ? CONFIGS[name] : { ...CONFIGS[name], batch: args.batch };
}

/**
 * Registers the @trl/native kernels when asked (before the backend starts, as the kernels keep the
 * stock setup hooks), then starts the backend. Returns what the records report about the setup.
 * @trl/native is loaded from its sibling package's dist by path: the benches' own packages do not
 * depend on it.
 */
export async function setup(args) {
  let native = null;
  if (args.native) {
    const { registerNativeKernels, nativeKernelStatus } = await import(
      new URL('../../native/dist/index.js', import.meta.url).href
    );
    const options = args.nativeThreads ? { threads: args.nativeThreads } : {};
    if (!registerNativeKernels(options)) {
      throw new Error(`--native: the native kernels did not register: ${nativeKernelStatus().reason}`);
    }
    native = nativeKernelStatus;
  }
  await initBackend(args.backend);
  const status = native?.();
  console.error(
    `env: ${JSON.stringify({ backend: tf.getBackend(), node: process.version, cpus: os.cpus().length, native: status ?? false })}`,
  );
  return {
    native: status ? `${status.microKernel}/${status.threads}t` : false,
    threads: status?.threads ?? 1,
  };
}

/**
 * One full fine-tuning step as the comparator takes it: next-token cross-entropy of `x` against `y`,
 * gradients of every variable, an optimizer step; the loss is appended to `losses`.
 */
export function crossEntropyTrainStep({ model, optimizer, variables, x, y, losses }) {
  return async () => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: x, training: true }).logits, y),
      variables,
    );
    optimizer.step(grads);
    losses.push((await value.data())[0]);
    tf.dispose([value, ...Object.values(grads)]);
  };
}

/** A GPT-2 as the comparator builds it: no dropout, no special tokens. */
export function createModel(cfg, seed) {
  return Gpt2LMHeadModel.create(comparatorGpt2Config(cfg), { seed });
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

/**
 * Runs `warmup` then up to `steps` timed steps (stopping after `maxSeconds`). Samples the live tensor
 * count after every measured step and the RSS after every step, warmup included; with `profile`
 * the measured steps run under the kernel profiler.
 */
export async function timedSteps(fn, args) {
  let peakRss = rssMb();
  for (let i = 0; i < args.warmup; i++) {
    await fn();
    peakRss = Math.max(peakRss, rssMb());
  }
  const profiler = args.profile ? new KernelProfiler(tf) : null;
  const tensorsStart = tf.memory().numTensors;
  const tensorCounts = [];
  const times = [];
  const start = performance.now();
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    await fn();
    const elapsed = performance.now() - t0;
    times.push(elapsed / 1000);
    profiler?.markStep(elapsed);
    tensorCounts.push(tf.memory().numTensors);
    peakRss = Math.max(peakRss, rssMb());
    if ((performance.now() - start) / 1000 > args.maxSeconds) break;
  }
  const profile = profiler?.stop();
  return {
    times,
    profile,
    memory: {
      tensors_start: tensorsStart,
      tensors_end: tensorCounts.at(-1),
      tensors_max: Math.max(...tensorCounts),
      tensors_stable: tensorCounts.every((count) => count === tensorsStart),
      peak_rss_mb: Math.round(peakRss),
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Runs one mode and prints its JSON line (and, with --profile, a kernel table on stderr and a
 * `"kind":"profile"` JSON line). `bench(cfg, args)` returns
 * `{ times, memory, profile, tokens, flops, params, batch, extra }`.
 */
export async function runMode({ mode, name, cfg, args, env, bench }) {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const r = await bench(cfg, args);
  const wall = (performance.now() - t0) / 1000;
  const med = median(r.times);
  const record = {
    impl: 'trl-ts',
    mode,
    config: name,
    tokens_per_s: round(r.tokens / med, 2),
    gflops: round(r.flops / med / 1e9, 3),
    params: r.params,
    step_ms_median: round(med * 1e3, 3),
    step_ms_min: round(Math.min(...r.times) * 1e3, 3),
    step_ms_mean: round((r.times.reduce((a, b) => a + b, 0) / r.times.length) * 1e3, 3),
    steps_measured: r.times.length,
    warmup: args.warmup,
    tokens_per_step: r.tokens,
    gflop_per_step: round(r.flops / 1e9, 4),
    batch: r.batch,
    seq: cfg.seq,
    n_layer: cfg.n_layer,
    n_embd: cfg.n_embd,
    n_head: cfg.n_head,
    vocab: cfg.vocab,
    threads: env.threads,
    backend: tf.getBackend(),
    native: env.native,
    tfjs: tf.version.tfjs,
    profiled: args.profile,
    wall_s: round(wall, 2),
    loadavg_1m: round(os.loadavg()[0], 2),
    tensors_before: tensorsBefore,
    ...r.memory,
    tensors_after: tf.memory().numTensors,
    ...r.extra,
  };
  console.log(JSON.stringify(record));
  if (r.profile) {
    console.error(
      `\nkernels per ${mode} step, ${name}, ${env.native ? `native ${env.native}` : 'stock wasm'}:`,
    );
    console.error(formatKernelTable(r.profile));
    console.log(
      JSON.stringify({
        impl: 'trl-ts',
        kind: 'profile',
        mode,
        config: name,
        native: env.native,
        ...r.profile,
      }),
    );
  }
}
