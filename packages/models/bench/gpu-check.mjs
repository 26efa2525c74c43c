#!/usr/bin/env node
// A short check for a machine with a GPU and @tensorflow/tfjs-node-gpu installed: which backend runs,
// generation from a small GPT-2, one training step with AdamW, and a timing line. Exits 1 when the
// backend cannot start or a result is wrong (NaN loss, a row of the wrong length).
//
//   node bench/gpu-check.mjs [--backend node-gpu|node|wasm|cpu]     (default node-gpu)
//
// Needs the built packages (`pnpm build`). `--backend node` runs the same check on tfjs-node's CPU
// build (tooling/tfjs-node/setup.mjs), which is how it is tested where no GPU is.
import { performance } from 'node:perf_hooks';
import { AdamW, crossEntropy, initBackend, Rng, tf } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';

const BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'];

function backendFlag(argv) {
  if (argv.length === 0) return 'node-gpu';
  if (argv.length === 2 && argv[0] === '--backend' && BACKENDS.includes(argv[1])) return argv[1];
  throw new Error(`usage: gpu-check.mjs [--backend ${BACKENDS.join('|')}]`);
}

const SHAPE = { vocab: 8192, positions: 256, width: 384, layers: 6, heads: 6, batch: 8, seq: 128 };

function timed(fn) {
  const start = performance.now();
  return Promise.resolve(fn()).then((value) => ({ value, ms: performance.now() - start }));
}

async function main() {
  const backend = backendFlag(process.argv.slice(2));
  const info = await initBackend(backend);
  const model = Gpt2LMHeadModel.create(
    {
      vocab_size: SHAPE.vocab,
      n_positions: SHAPE.positions,
      n_embd: SHAPE.width,
      n_layer: SHAPE.layers,
      n_head: SHAPE.heads,
      bos_token_id: null,
      eos_token_id: null,
    },
    { seed: 0 },
  );
  const rng = new Rng(0);
  const ids = (rows, cols) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.nextInt(SHAPE.vocab)));

  const prompts = ids(4, 16);
  const generation = await timed(() =>
    model.generate(prompts, { maxNewTokens: 32, doSample: true, seed: 0 }),
  );
  if (generation.value.some((row) => row.tokenIds.length !== 32))
    throw new Error('a generated row has the wrong length');

  const params = model.trainableVariables();
  const optimizer = new AdamW(params, { learningRate: 1e-4 });
  const data = ids(SHAPE.batch, SHAPE.seq + 1);
  const inputs = tf.tensor2d(
    data.map((row) => row.slice(0, -1)),
    undefined,
    'int32',
  );
  const labels = tf.tensor2d(
    data.map((row) => row.slice(1)),
    undefined,
    'int32',
  );
  const trainStep = async () => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward({ inputIds: inputs, training: true }).logits, labels),
      params.map((param) => param.variable),
    );
    optimizer.step(grads);
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  const first = await timed(trainStep); // includes kernel setup and, on a GPU, autotuning
  const second = await timed(trainStep);
  tf.dispose([inputs, labels]);
  optimizer.dispose();
  model.dispose();
  if (!Number.isFinite(first.value) || !Number.isFinite(second.value))
    throw new Error('the loss is not finite');

  console.log(
    JSON.stringify({
      bench: 'gpu-check',
      backend: info.name,
      tf_backend: tf.getBackend(),
      generate_ms: Math.round(generation.ms),
      generated_tokens_per_s: Math.round((4 * 32) / (generation.ms / 1000)),
      first_train_step_ms: Math.round(first.ms),
      train_step_ms: Math.round(second.ms),
      train_tokens_per_s: Math.round((SHAPE.batch * SHAPE.seq) / (second.ms / 1000)),
      loss: [first.value, second.value],
    }),
  );
}

main().catch((error) => {
  console.error(`gpu-check: ${error.message}`);
  process.exit(1);
});
