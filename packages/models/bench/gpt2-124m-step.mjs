#!/usr/bin/env node
// Can GPT-2 124M train inside tfjs-backend-wasm's heap? Creates the full model (12 layers, width 768,
// 12 heads, vocab 50257, 1024 positions) with random weights on wasm and runs forward +
// cross-entropy + backward + one AdamW step at batch 1, sequence 128, a few times on one fixed
// batch. Prints one JSON line: step times, peak RSS, the wasm heap size (it never shrinks, so this
// is its high-water mark), the peak of live tensor bytes and what made it up, numTensors and the
// losses (they should fall). *_cpu_s is process CPU time (both cores: it can exceed wall time).
//
//   node bench/gpt2-124m-step.mjs [--native] [--optimizer host|device] [--grads host|heap] [--steps 3]
//                                 [--lr 1e-4] [--lm-head model|flag] [--copying-identity] [--seed 0]
//                                 [--layers 12]
//
// --native            register @trl/native's GEMM for wasm's MatMul (no XNNPACK packed weight copies)
// --optimizer         AdamW `stateLocation`: host (moments in JS memory, default) or device (on the heap)
// --grads             host (default): each weight gradient is copied to JS memory and freed the moment
//                     backward produces it, then AdamW.stepWithHostGradients; heap: tf.variableGrads,
//                     which keeps every gradient (and every intermediate one) on the heap until the end
// --lm-head           model (default): model.forward, whose tied head multiplies by an explicit
//                     transpose of the embedding (fast on stock wasm); flag: model.transformer, then
//                     tf.matMul(hidden, wte, false, true) — no [768, 50257] transpose nor its gradient
//                     (what the model could do when @trl/native makes transposed products fast)
// --layers            fewer blocks for a quick smoke run (default 12, the real model)
// --copying-identity  keep wasm's stock Identity kernel, which copies: every tensor a custom gradient
//                     saves for backward is cloned through it (all weight matrices, once more)
//
// Needs the built packages (`pnpm build`): it imports @trl/models and @trl/core from their dist.
// A heap failure is reported as `error` in the JSON line (exit code 1).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { AdamW, crossEntropy, initBackend, Rng, tf } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';

const MiB = 2 ** 20;

function parseArgs(argv) {
  const args = {
    native: false,
    optimizer: 'host',
    grads: 'host',
    lmHead: 'model',
    steps: 3,
    layers: 12,
    lr: 1e-4,
    copyingIdentity: false,
    seed: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--native') args.native = true;
    else if (flag === '--copying-identity') args.copyingIdentity = true;
    else if (flag === '--optimizer') args.optimizer = argv[++i];
    else if (flag === '--grads') args.grads = argv[++i];
    else if (flag === '--lm-head') args.lmHead = argv[++i];
    else if (flag === '--steps') args.steps = Number(argv[++i]);
    else if (flag === '--lr') args.lr = Number(argv[++i]);
    else if (flag === '--layers') args.layers = Number(argv[++i]);
    else if (flag === '--seed') args.seed = Number(argv[++i]);
    else throw new Error(`unknown flag ${flag}; see the header of bench/gpt2-124m-step.mjs`);
  }
  if (!['host', 'device'].includes(args.optimizer)) throw new Error('--optimizer: use host or device');
  if (!['host', 'heap'].includes(args.grads)) throw new Error('--grads: use host or heap');
  if (!['model', 'flag'].includes(args.lmHead)) throw new Error('--lm-head: use model or flag');
  if (!(Number.isInteger(args.steps) && args.steps >= 1)) throw new Error('--steps: an integer >= 1');
  if (!(Number.isInteger(args.layers) && args.layers >= 1)) throw new Error('--layers: an integer >= 1');
  return args;
}

/** @trl/models does not depend on @trl/native: try the package, then the workspace checkout. */
async function registerNative() {
  let native;
  try {
    native = await import('@trl/native');
  } catch {
    native = await import(new URL('../../native/dist/index.js', import.meta.url).href);
  }
  if (!native.registerNativeKernels()) {
    throw new Error(`--native: kernels not registered: ${native.nativeKernelStatus().reason}`);
  }
}

/**
 * wasm's Identity copies the tensor; cpu's shares the buffer (tensors are immutable, and wasm's
 * Reshape already shares the same way). tf.customGrad's `save` clones every saved tensor through
 * Identity, so with the copying kernel each weight matrix exists twice during a training step.
 */
function registerSharingIdentity() {
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { x }, backend }) => {
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

/**
 * A stand-in for `variable` in the forward pass whose gradient, when backward reaches it, is copied
 * into `hostGrads` and freed at once. Backward is driven from `anchor` (a scalar the loss does not
 * depend on otherwise): every tap takes it as a second input, so the tape runs through them all,
 * while the variables themselves are not differentiated (tfjs would keep all their gradients).
 */
function tap(variable, name, anchor, hostGrads) {
  const op = tf.customGrad((weight, _anchor, _save) => ({
    value: tf.clone(weight),
    gradFunc: (dy) => {
      hostGrads.set(name, dy.dataSync());
      dy.dispose();
      return [tf.scalar(0), tf.scalar(0)];
    },
  }));
  return op(variable, anchor);
}

/**
 * The model's weight tree with every trainable variable replaced by its {@link tap}, created on first
 * access: the tap then sits on the tape right before the op that uses the weight, so backward reaches
 * it (and frees the gradient) right after that op's gradient. Taps made up front would sit at the
 * start of the tape, and backward would reach them only after every gradient had been computed.
 */
function tappedWeights(value, names, anchor, hostGrads) {
  if (value instanceof tf.Tensor || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => tappedWeights(item, names, anchor, hostGrads));
  const view = {};
  for (const [key, item] of Object.entries(value)) {
    if (item instanceof tf.Variable && names.has(item)) {
      let tapped;
      Object.defineProperty(view, key, {
        enumerable: true,
        get: () => {
          tapped ??= tap(item, names.get(item), anchor, hostGrads);
          return tapped;
        },
      });
    } else {
      view[key] = tappedWeights(item, names, anchor, hostGrads);
    }
  }
  return view;
}

/**
 * Follows live tensor bytes on the backend (the heap's own size only ever grows), and what was alive
 * at the peak: MiB by shape, for tensors of 4 MiB or more.
 */
function trackTensorBytes(backend) {
  const sizes = new Map();
  const tracker = { live: 0, peak: 0, atPeak: {} };
  let recorded = 0;
  const move = backend.move.bind(backend);
  const disposeData = backend.disposeData.bind(backend);
  backend.move = (dataId, values, shape, dtype, refCount) => {
    move(dataId, values, shape, dtype, refCount);
    const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'string' ? 0 : 4);
    sizes.set(dataId, { bytes, shape: shape.join('x') });
    tracker.live += bytes;
    tracker.peak = Math.max(tracker.peak, tracker.live);
    if (tracker.live > recorded + 16 * MiB) {
      recorded = tracker.live;
      const byShape = {};
      for (const { bytes: size, shape: key } of sizes.values()) {
        if (size >= 4 * MiB) byShape[key] = (byShape[key] ?? 0) + size;
      }
      tracker.atPeak = Object.fromEntries(
        Object.entries(byShape)
          .sort((a, b) => b[1] - a[1])
          .map(([key, size]) => [key, Math.round(size / MiB)]),
      );
    }
  };
  backend.disposeData = (dataId, force) => {
    const freed = disposeData(dataId, force);
    if (freed && sizes.has(dataId)) {
      tracker.live -= sizes.get(dataId).bytes;
      sizes.delete(dataId);
    }
    return freed;
  };
  return tracker;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await initBackend('wasm');
  if (args.native) await registerNative();
  if (!args.copyingIdentity) registerSharingIdentity();
  const backend = tf.backend();
  const tensorBytes = trackTensorBytes(backend);
  const record = {
    impl: 'trl-ts',
    bench: 'gpt2-124m-step',
    backend: tf.getBackend(),
    native: args.native,
    optimizer: args.optimizer,
    grads: args.grads,
    lm_head: args.lmHead,
    n_layer: args.layers,
    sharing_identity: !args.copyingIdentity,
    batch: 1,
    seq: 128,
  };
  const timings = {
    step_s: [],
    forward_backward_s: [],
    optimizer_s: [],
    forward_backward_cpu_s: [],
    optimizer_cpu_s: [],
  };
  const losses = [];
  let model;
  let optimizer;
  try {
    // transformers' GPT2Config defaults are the 124M model; dropout off so the losses are comparable.
    model = Gpt2LMHeadModel.create(
      { n_layer: args.layers, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0 },
      { seed: args.seed },
    );
    const parameters = model.trainableVariables();
    record.params = parameters.reduce((sum, p) => sum + p.variable.size, 0);
    optimizer = new AdamW(parameters, {
      learningRate: args.lr,
      stateLocation: args.optimizer,
      checkFinite: false,
    });
    const rng = new Rng(args.seed);
    const ids = Array.from({ length: record.seq + 1 }, () => rng.nextInt(model.config.vocab_size));
    const inputs = tf.tensor2d([ids.slice(0, -1)], undefined, 'int32');
    const labels = tf.tensor2d([ids.slice(1)], undefined, 'int32');
    const variables = parameters.map((p) => p.variable);
    const attentionMask = tf.ones([1, record.seq], 'int32');
    const positionIds = tf.range(0, record.seq, 1, 'int32').reshape([1, record.seq]);
    const logitsOf = (lm) => {
      if (args.lmHead === 'model') return lm.forward({ inputIds: inputs, training: true }).logits;
      const { hidden } = lm.transformer({ inputIds: inputs, attentionMask, positionIds, training: true });
      const rows = tf.reshape(hidden, [record.seq, model.config.n_embd]);
      return tf.reshape(tf.matMul(rows, lm.weights.wte, false, true), [1, record.seq, -1]);
    };
    const lossOf = (lm = model) => crossEntropy(logitsOf(lm), labels);
    const names = new Map(parameters.map((p) => [p.variable, p.name]));
    const anchor = tf.scalar(0);
    /** Forward + backward with the gradients moved to JS memory as they appear; returns the loss. */
    const backwardToHost = (hostGrads) => {
      const { value, grad } = tf.valueAndGrad((a) => {
        const weights = tappedWeights(model.weights, names, a, hostGrads);
        return lossOf(new Gpt2LMHeadModel({ config: model.config, weights, owned: new Set() }));
      })(anchor);
      grad.dispose();
      return value;
    };
    record.num_tensors_start = tf.memory().numTensors;
    for (let step = 0; step < args.steps; step++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      let middle;
      let cpuMiddle;
      if (args.grads === 'host') {
        const hostGrads = new Map();
        const value = backwardToHost(hostGrads);
        losses.push(value.dataSync()[0]);
        value.dispose();
        middle = performance.now();
        cpuMiddle = process.cpuUsage();
        optimizer.stepWithHostGradients(hostGrads);
      } else {
        const { value, grads } = tf.variableGrads(lossOf, variables);
        losses.push(value.dataSync()[0]);
        middle = performance.now();
        cpuMiddle = process.cpuUsage();
        optimizer.step(grads);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const end = performance.now();
      const cpuSeconds = (from, to) => (to.user + to.system - from.user - from.system) / 1e6;
      timings.forward_backward_cpu_s.push(cpuSeconds(cpuStart, cpuMiddle));
      timings.optimizer_cpu_s.push(cpuSeconds(cpuMiddle, process.cpuUsage()));
      timings.forward_backward_s.push((middle - start) / 1000);
      timings.optimizer_s.push((end - middle) / 1000);
      timings.step_s.push((end - start) / 1000);
      record[`num_tensors_after_step_${step + 1}`] = tf.memory().numTensors;
    }
    const after = tf.tidy(() => lossOf());
    record.loss_after = after.dataSync()[0];
    after.dispose();
    tf.dispose([inputs, labels, anchor, attentionMask, positionIds]);
  } catch (error) {
    record.error = String(error?.stack ?? error)
      .split('\n')
      .slice(0, 3)
      .join(' | ');
  }
  const round = (x) => Math.round(x * 1000) / 1000;
  Object.assign(record, {
    losses: losses.map(round),
    loss_before: losses[0],
    steps: losses.length,
    ...Object.fromEntries(Object.entries(timings).map(([key, values]) => [key, values.map(round)])),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    wasm_heap_mib: Math.round(backend.wasm.HEAPU8.length / MiB),
    peak_tensor_mib: Math.round(tensorBytes.peak / MiB),
    tensors_at_peak_mib: tensorBytes.atPeak,
    num_tensors_end: tf.memory().numTensors,
    loadavg_1m: round(os.loadavg()[0]),
    node: process.version,
    tfjs: tf.version.tfjs,
  });
  console.log(JSON.stringify(record));
  if (record.error) process.exit(1);
  optimizer?.dispose();
  model?.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
