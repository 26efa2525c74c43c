#!/usr/bin/env node
// Reads benchmark JSON lines (ours and the torch comparator's) from the files given, or stdin, and
// prints a Markdown table of tokens/s per mode and config with each of our runs' ratio to the
// faster torch run (1 or 2 threads, any torch build) of that row, as the comparator's README asks. The
// llama rows (bench/llama.mjs) are compared with the torch rows of ./llama_bench.py the same way;
// "+ decoder" marks a sampling run that went through @trl/native's fast decoder.
//
//   node bench/compare.mjs results/*.jsonl
import { readFileSync } from 'node:fs';

const text =
  process.argv.length > 2
    ? process.argv
        .slice(2)
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n')
    : readFileSync(0, 'utf8');
const records = text
  .split('\n')
  .filter((line) => line.startsWith('{'))
  .map((line) => JSON.parse(line))
  .filter((r) => r.kind !== 'profile' && r.tokens_per_s !== undefined);

const label = (r) =>
  r.impl === 'torch'
    ? `torch ${r.torch ?? ''} ${r.threads}t`
    : `${r.native ? `trl-ts native ${r.native}` : `trl-ts ${r.backend}`}${r.native_decoder ? ' + decoder' : ''}`;
const rows = new Map();
for (const r of records) {
  const key = `${r.mode} ${r.config}`;
  if (!rows.has(key)) rows.set(key, []);
  rows.get(key).push(r);
}
console.log(
  '| mode | config | run | tokens/s | GFLOP/s | step ms | vs best torch | load | peak RSS MB | tensors stable |',
);
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [key, runs] of rows) {
  const [mode, config] = key.split(' ');
  const torch = runs.filter((r) => r.impl === 'torch');
  const best = torch.length ? Math.max(...torch.map((r) => r.tokens_per_s)) : undefined;
  for (const r of runs) {
    const ratio = best && r.impl !== 'torch' ? `${(r.tokens_per_s / best).toFixed(2)}x` : '';
    const stable =
      r.tensors_stable === undefined
        ? ''
        : r.tensors_stable
          ? 'yes'
          : `no (${r.tensors_start}→${r.tensors_end})`;
    console.log(
      `| ${mode} | ${config} | ${label(r)} | ${r.tokens_per_s} | ${r.gflops} | ${Math.round(r.step_ms_median)} | ${ratio} | ${r.loadavg_1m} | ${r.peak_rss_mb ?? ''} | ${stable} |`,
    );
  }
}
