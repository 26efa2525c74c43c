#!/usr/bin/env node
// GPT-2 throughput benchmark for @trl/models, the TypeScript side of shared/bench/torch/gpt2_bench.py:
// same configs, same modes, same FLOP accounting and the same JSON fields, one line per measurement.
//
//   node bench/gpt2.mjs --config tiny small --mode train sample [--steps 5] [--warmup 2] [--backend wasm]
//
// Needs the built packages (`pnpm build`): it imports @trl/models and @trl/core from their dist.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { AdamW, crossEntropy, initBackend, Rng, tf } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';

const CONFIGS = {
  tiny: { n_layer: 2, n_embd: 128, n_head: 4, vocab: 1000, seq: 64, batch: 8, n_pos: 128 },
  small: { n_layer: 6, n_embd: 384, n_head: 6, vocab: 8192, seq: 128, batch: 8, n_pos: 256 },
  gpt2: { n_layer: 12, n_embd: 768, n_head: 12, vocab: 50257, seq: 128, batch: 4, n_pos: 1024 },
};

function parseArgs(argv) {
  const args = {
    config: ['tiny'],
    mode: ['train', 'sample'],
    steps: 10,
    warmup: 2,
    maxSeconds: 150,
    backend: 'wasm',
    seed: 0,
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
    else throw new Error(`unknown flag ${flag}; see the header of bench/gpt2.mjs`);
  }
  for (const c of args.config)
    if (!CONFIGS[c]) throw new Error(`--config ${c}: use ${Object.keys(CONFIGS).join(', ')}`);
  for (const m of args.mode)
    if (!['train', 'sample'].includes(m)) throw new Error(`--mode ${m}: use train, sample`);
  return args;
}

/** The torch comparator has no dropout: build the same model. */
function createModel(cfg, seed) {
  return Gpt2LMHeadModel.create(
    {
      vocab_size: cfg.vocab,
      n_positions: cfg.n_pos,
      n_embd: cfg.n_embd,
      n_layer: cfg.n_layer,
      n_head: cfg.n_head,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      bos_token_id: null,
      eos_token_id: null,
    },
    { seed },
  );
}

function countParams(model) {
  const total = model.namedWeights().reduce((sum, w) => sum + w.variable.size, 0);
  return { total, matmul: total - model.weights.wpe.size };
}

async function timedSteps(fn, warmup, steps, maxSeconds) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
    if ((performance.now() - start) / 1000 > maxSeconds) break;
  }
  return times;
}

function randomIds(rng, rows, cols, vocab) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.nextInt(vocab)));
}

async function benchTrain(cfg, args) {
  const model = createModel(cfg, args.seed);
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, {
    learningRate: 1e-4,
    weightDecay: 0.01,
    beta1: 0.9,
    beta2: 0.95,
    checkFinite: false,
  });
  const rng = new Rng(args.seed);
  const data = randomIds(rng, cfg.batch, cfg.seq + 1, cfg.vocab);
  const x = tf.tensor2d(
    data.map((r) => r.slice(0, -1)),
    undefined,
    'int32',
  );
  const y = tf.tensor2d(
    data.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  const variables = params.map((p) => p.variable);
  const losses = [];
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: x, training: true }).logits, y),
      variables,
    );
    optimizer.step(grads);
    losses.push((await value.data())[0]);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const times = await timedSteps(step, args.warmup, args.steps, args.maxSeconds);
  const { total, matmul } = countParams(model);
  const tokens = cfg.batch * cfg.seq;
  const flopsPerToken = 6 * matmul + 12 * cfg.n_layer * cfg.n_embd * cfg.seq;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    times,
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
  const times = await timedSteps(generate, args.warmup, args.steps, args.maxSeconds);
  const { total, matmul } = countParams(model);
  const L = cfg.n_layer;
  const d = cfg.n_embd;
  let flops = batch * (promptLen * 2 * matmul + 4 * L * d * promptLen * promptLen);
  for (let c = promptLen + 1; c < promptLen + newTokens; c++) flops += batch * (2 * matmul + 4 * L * d * c);
  model.dispose();
  return {
    times,
    tokens: batch * newTokens,
    flops,
    params: total,
    batch,
    extra: { sample_batch: batch, prompt_len: promptLen, new_tokens: newTokens, top_k: 0, top_p: 1.0 },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await initBackend(args.backend);
  console.error(
    `env: ${JSON.stringify({ backend: tf.getBackend(), node: process.version, cpus: os.cpus().length })}`,
  );
  for (const name of args.config) {
    const cfg = CONFIGS[name];
    for (const mode of args.mode) {
      const t0 = performance.now();
      const r = mode === 'train' ? await benchTrain(cfg, args) : await benchSample(cfg, args);
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
        threads: 1,
        backend: tf.getBackend(),
        tfjs: tf.version.tfjs,
        wall_s: round(wall, 2),
        loadavg_1m: round(os.loadavg()[0], 2),
        ...r.extra,
      };
      console.log(JSON.stringify(record));
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
