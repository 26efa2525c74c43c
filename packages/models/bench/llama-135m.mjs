#!/usr/bin/env node
// trl-ts side of the SmolLM2-135M-shape training bench: loads the random-init Llama that
// llama-135m.py saved (the same weights PyTorch trains), then times full fine-tuning steps with the
// comparator's AdamW on the same random ids and prints one JSON line (the GPT-2 benches' fields).
//
//   /path/to/venv/bin/python bench/llama-135m.py --dir /tmp/smollm2-135m-shape --batch 8   # first
//   node bench/llama-135m.mjs --dir /tmp/smollm2-135m-shape --batch 8 [--seq 128] [--steps 3]
//                             [--warmup 1] [--backend node] [--native] (wasm with @trl/native's kernels)
//
// The ids differ from PyTorch's (another generator); the work per step does not.
import os from 'node:os';
import { AdamW, Rng, tf } from '@trl/core';
import { AutoModelForCausalLM } from '@trl/models';
import {
  COMPARATOR_ADAMW,
  crossEntropyTrainStep,
  nextTokenBatch,
  randomIds,
  setup,
  timedSteps,
} from './harness.mjs';

function parse(argv) {
  const args = {
    dir: undefined,
    batch: 8,
    seq: 128,
    steps: 3,
    warmup: 1,
    backend: 'node',
    native: false,
    maxSeconds: 600,
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--native') {
      args.native = true;
      i--;
      continue;
    }
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--dir') args.dir = value;
    else if (flag === '--backend') args.backend = value;
    else if (['--batch', '--seq', '--steps', '--warmup'].includes(flag)) args[flag.slice(2)] = Number(value);
    else throw new Error(`unknown flag ${flag}; see the header of bench/llama-135m.mjs`);
  }
  if (!args.dir) throw new Error('--dir: the folder llama-135m.py saved the model to');
  return args;
}

const args = parse(process.argv.slice(2));
const { native } = await setup(args);
const model = await AutoModelForCausalLM.fromPretrained(args.dir);
const params = model.trainableVariables();
const optimizer = new AdamW(params, COMPARATOR_ADAMW);
const vocab = model.info.vocabSize;
const { x, y } = nextTokenBatch(tf, randomIds(new Rng(0), args.batch, args.seq + 1, vocab));
const variables = params.map((p) => p.variable);
const losses = [];
const timing = await timedSteps(crossEntropyTrainStep({ model, optimizer, variables, x, y, losses }), args);
const times = [...timing.times].sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const tokens = args.batch * args.seq;
console.log(
  JSON.stringify({
    impl: 'trl-ts',
    mode: 'train',
    config: 'smollm2-135m',
    tokens_per_s: Math.round((tokens / median) * 100) / 100,
    step_ms_median: Math.round(median * 1e4) / 10,
    steps_measured: timing.times.length,
    warmup: args.warmup,
    batch: args.batch,
    seq: args.seq,
    params: variables.reduce((sum, v) => sum + v.size, 0),
    backend: tf.getBackend(),
    native,
    ...timing.memory,
    loadavg_1m: Math.round(os.loadavg()[0] * 100) / 100,
    loss_first: losses[0],
    loss_last: losses.at(-1),
  }),
);
tf.dispose([x, y]);
optimizer.dispose();
model.dispose();
