#!/usr/bin/env node
// Runs a GPT-2 bench script once per engine, back to back, passing the remaining flags through:
// stock wasm, wasm with @trl/native's kernels, and tfjs-node's TensorFlow (`tensorflow` backend).
// An engine that is not installed gives one `"skipped"` JSON line saying how to get it, so a table
// never silently lacks a row.
//
//   node bench/engines.mjs [--script bench/gpt2.mjs] [--skip-engines a,b --skip-reason why] <flags of that script>
//
// `--skip-engines` prints a `"skipped"` line with the given reason instead of running those engines,
// for a config an engine is known not to hold (Llama 135M training overflows the 4 GB wasm heap).
//
// `pnpm bench` at the repository root sets up tfjs-node first (tooling/tfjs-node/setup.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

function takeScript(argv) {
  const index = argv.indexOf('--script');
  if (index < 0) return { script: join(here, 'gpt2.mjs'), rest: argv };
  const value = argv[index + 1];
  if (!value || value.startsWith('--')) throw new Error('--script needs a path to a bench script');
  return { script: resolve(value), rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

/** Why an engine cannot run here, or undefined when it can. */
function missing(engine) {
  if (engine === 'wasm+native' && !existsSync(join(repoRoot, 'packages/native/dist/index.js')))
    return 'the @trl/native build is missing: run `pnpm build`';
  if (engine === 'tensorflow') {
    try {
      createRequire(join(repoRoot, 'package.json')).resolve('@tensorflow/tfjs-node');
    } catch {
      return '@tensorflow/tfjs-node is not installed: run `node tooling/tfjs-node/setup.mjs` (see tooling/tfjs-node/README.md)';
    }
  }
  return undefined;
}

const ENGINE_FLAGS = {
  wasm: ['--backend', 'wasm'],
  'wasm+native': ['--backend', 'wasm', '--native'],
  tensorflow: ['--backend', 'node'],
};

/** Removes `--name value` from argv, returning the value (or undefined). */
function takeFlag(argv, name) {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value`);
  argv.splice(index, 2);
  return value;
}

const argv = process.argv.slice(2);
const skipEngines = (takeFlag(argv, '--skip-engines') ?? '').split(',').filter(Boolean);
const skipReason = takeFlag(argv, '--skip-reason');
for (const engine of skipEngines)
  if (!(engine in ENGINE_FLAGS)) throw new Error(`--skip-engines: unknown engine ${engine}`);
if (skipEngines.length > 0 && !skipReason) throw new Error('--skip-engines needs --skip-reason');
const { script, rest } = takeScript(argv);
let failed = false;
for (const [engine, flags] of Object.entries(ENGINE_FLAGS)) {
  const reason = skipEngines.includes(engine) ? skipReason : missing(engine);
  if (reason) {
    console.log(JSON.stringify({ impl: 'trl-ts', engine, skipped: true, reason }));
    continue;
  }
  const run = spawnSync(process.execPath, [script, ...rest, ...flags], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`engines: ${engine} failed (exit ${run.status ?? run.signal})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
