import { performance } from 'node:perf_hooks';
import { initBackend } from '@trl/core';
import { Gpt2LMHeadModel } from '@trl/models';
import { registerNativeKernels } from '@trl/native';
const CONFIGS = { tiny: { n_layer: 2, n_embd: 128, n_head: 4, vocab: 1000, n_pos: 128 }, small: { n_layer: 6, n_embd: 384, n_head: 6, vocab: 8192, n_pos: 256 } };
await initBackend('wasm');
console.log('native', registerNativeKernels({ threads: Number(process.env.T ?? 1) }));
for (const name of ['tiny', 'small']) {
  const cfg = CONFIGS[name];
  const model = Gpt2LMHeadModel.create({ vocab_size: cfg.vocab, n_positions: cfg.n_pos, n_embd: cfg.n_embd, n_layer: cfg.n_layer, n_head: cfg.n_head, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, bos_token_id: null, eos_token_id: null });
  const prompts = Array.from({ length: 8 }, (_, b) => Array.from({ length: 16 }, (_, i) => (b * 31 + i * 7) % cfg.vocab));
  for (const fast of [false, true, false, true]) {
    const t0 = performance.now(); const c0 = process.cpuUsage();
    const n = 3;
    for (let i = 0; i < n; i++) await model.generate(prompts, { maxNewTokens: 64, doSample: true, seed: i, fastDecoder: fast });
    const ms = (performance.now() - t0) / n; const c = process.cpuUsage(c0); const cpu = (c.user + c.system) / 1000 / n;
    console.log(name, fast ? 'fast  ' : 'tensor', ms.toFixed(1), 'ms', (512 / ms * 1000).toFixed(0), 'tok/s', 'cpu', cpu.toFixed(1), 'ms', (512 / cpu * 1000).toFixed(0), 'tok/cpu-s');
  }
  model.dispose();
}
