#!/usr/bin/env node
// Matmul throughput, native addon vs the stock tfjs wasm kernel: one JSON line per measurement.
//
//   node bench/matmul.mjs [--seconds 1] [--threads 1 2] [--impl stock native] [--skip-stock-transposed]
//
// Each line has the median (gflops) and the best run (gflops_best): on a shared machine the best
// run shows what the kernel does when it gets the cores.
//
// Needs the built packages (`pnpm build`): it imports @trl/core and @trl/native from their dist.
// Shapes: 2048^3, and the products of one training step of the GPT-2 "small" bench config
// (6 layers, n_embd 384, 6 heads, seq 128, batch 8, vocab 8192): forward, and the two gradient
// products of each linear layer (the default MatMul gradient uses transposed operands).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { initBackend, tf } from '@trl/core';
import { nativeAddon, nativeKernelStatus, registerNativeKernels, unregisterNativeKernels } from '@trl/native';

function parseArgs(argv) {
  const args = { seconds: 1, threads: [1, 2], impl: ['stock', 'native'], skipStockTransposed: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const values = [];
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
    if (flag === '--seconds') args.seconds = Number(values[0]);
    else if (flag === '--threads') args.threads = values.map(Number);
    else if (flag === '--impl') args.impl = values;
    else if (flag === '--skip-stock-transposed') args.skipStockTransposed = true;
    else throw new Error(`unknown flag ${flag}; see the header of bench/matmul.mjs`);
  }
  return args;
}

const T = 8 * 128; // tokens per step
const C = 384;
const SHAPES = [
  { name: 'square-2048', a: [2048, 2048], b: [2048, 2048] },
  { name: 'attn-qkv', a: [T, C], b: [C, 3 * C] },
  { name: 'attn-qkv-dx', a: [T, 3 * C], b: [C, 3 * C], transposeB: true },
  { name: 'attn-qkv-dw', a: [T, C], b: [T, 3 * C], transposeA: true },
  { name: 'attn-proj', a: [T, C], b: [C, C] },
  { name: 'mlp-fc', a: [T, C], b: [C, 4 * C] },
  { name: 'mlp-proj', a: [T, 4 * C], b: [4 * C, C] },
  { name: 'mlp-proj-dw', a: [T, 4 * C], b: [T, C], transposeA: true },
  { name: 'lm-head', a: [T, C], b: [8192, C], transposeB: true },
  { name: 'lm-head-dw', a: [T, 8192], b: [T, C], transposeA: true },
  { name: 'attn-scores', a: [8, 6, 128, 64], b: [8, 6, 128, 64], transposeB: true },
  { name: 'attn-mix', a: [8, 6, 128, 128], b: [8, 6, 128, 64] },
  { name: 'decode-row', a: [8, C], b: [C, 4 * C] },
];

function flopsOf(shape) {
  const { a, b, transposeA = false } = shape;
  const m = transposeA ? a.at(-1) : a.at(-2);
  const k = transposeA ? a.at(-2) : a.at(-1);
  const n = shape.transposeB ? b.at(-2) : b.at(-1);
  const batch = a.slice(0, -2).reduce((x, d) => x * d, 1);
  return 2 * batch * m * n * k;
}

async function timeIt(fn, seconds) {
  fn();
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start) / 1000 < seconds) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if ((performance.now() - start) / 1000 > 4 * seconds) break;
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(times.length / 2)], best: times[0] };
}

function emit(record) {
  console.log(JSON.stringify({ ...record, loadavg_1m: Math.round(os.loadavg()[0] * 100) / 100 }));
}

async function benchKernel(shape, impl, threads, seconds) {
  const a = tf.randomUniform(shape.a, -1, 1);
  const b = tf.randomUniform(shape.b, -1, 1);
  // wasm kernels run synchronously inside tf.matMul, so no read-back is needed (reading a 32 MB
  // output back to JS costs more than computing it).
  const run = () => tf.matMul(a, b, shape.transposeA ?? false, shape.transposeB ?? false).dispose();
  const { median: ms, best } = await timeIt(run, seconds);
  tf.dispose([a, b]);
  emit({
    bench: 'tf.matMul',
    shape: shape.name,
    a: shape.a,
    b: shape.b,
    transposeA: shape.transposeA ?? false,
    transposeB: shape.transposeB ?? false,
    impl,
    threads,
    ms: Math.round(ms * 1000) / 1000,
    gflops: Math.round((flopsOf(shape) / (ms / 1000) / 1e9) * 100) / 100,
    gflops_best: Math.round((flopsOf(shape) / (best / 1000) / 1e9) * 100) / 100,
  });
}

/** The bare addon on a plain Float32Array: the GEMM's own speed, no tfjs around it. */
function benchRawGemm(addon, threads, seconds) {
  const n = 2048;
  const buffer = new Float32Array(3 * n * n);
  for (let i = 0; i < 2 * n * n; i += 7) buffer[i] = Math.random();
  addon.setThreads(threads);
  const run = () => addon.sgemm(buffer, 0, 4 * n * n, 8 * n * n, 1, n, n, n, false, false, 0, 0, -1, 0, 0, 0);
  return timeIt(run, seconds).then(({ median: ms, best }) =>
    emit({
      bench: 'sgemm',
      shape: 'square-2048',
      impl: `native-${addon.kernelName()}`,
      threads,
      ms: Math.round(ms * 1000) / 1000,
      gflops: Math.round(((2 * n ** 3) / (ms / 1000) / 1e9) * 100) / 100,
      gflops_best: Math.round(((2 * n ** 3) / (best / 1000) / 1e9) * 100) / 100,
    }),
  );
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await initBackend('wasm');
  const addon = nativeAddon();
  console.error(
    `env: ${JSON.stringify({ node: process.version, cpus: os.cpus().length, status: nativeKernelStatus() })}`,
  );
  if (addon && args.impl.includes('native'))
    for (const threads of args.threads) await benchRawGemm(addon, threads, args.seconds);

  unregisterNativeKernels();
  for (const shape of args.impl.includes('stock') ? SHAPES : []) {
    const transposed = shape.transposeA || shape.transposeB;
    if (args.skipStockTransposed && transposed) continue;
    await benchKernel(shape, 'stock-wasm', 1, args.seconds);
  }
  if (!addon || !args.impl.includes('native')) return;
  for (const threads of args.threads) {
    if (!registerNativeKernels({ threads }))
      throw new Error(`registerNativeKernels failed: ${nativeKernelStatus().reason}`);
    for (const shape of SHAPES) await benchKernel(shape, 'native', threads, args.seconds);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
