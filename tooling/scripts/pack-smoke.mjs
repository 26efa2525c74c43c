#!/usr/bin/env node
// Packs the packages a user app needs, installs the tarballs with npm into a scratch project outside
// the workspace and runs an ESM and a CommonJS program against them (plus the @trl/ppo README snippet),
// so a tarball without dist/, a broken `exports` map, a `workspace:` version left in a manifest or a
// dependency that only the monorepo provides fails here rather than for the first user.
//
//   node tooling/scripts/pack-smoke.mjs [--keep]     (--keep leaves the scratch directory behind)
//
// Needs the npm registry (for tfjs, zod, …) and nothing else. Exits 1 with the failing step named.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WANTED = ['@trl/spec', '@trl/core', '@trl/models', '@trl/textenv', '@trl/tools-calculator', '@trl/ppo'];
const PNPM = ['-y', 'pnpm@12.4.2'];
const keep = process.argv.includes('--keep');
const started = Date.now();

function fail(step, detail) {
  console.error(`pack-smoke: FAILED at ${step}: ${detail}`);
  process.exit(1);
}

function run(step, command, args, options = {}) {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', npm_config_update_notifier: 'false' },
      maxBuffer: 64 * 1024 * 1024,
      ...options,
    });
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim();
    fail(step, `\`${command} ${args.join(' ')}\` exited with ${error.status ?? error.signal}\n${output}`);
  }
}

function log(message) {
  console.log(`pack-smoke [${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

// The workspace packages by name, and the closure of WANTED over their (non-dev) workspace dependencies.
const workspace = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  workspace.set(manifest.name, { dir: join(root, 'packages', dir), manifest });
}
const needed = new Set();
const visit = (name) => {
  const entry = workspace.get(name);
  if (!entry) fail('resolve', `${name} is not a package under packages/`);
  if (entry.manifest.private) fail('resolve', `${name} is private, so a user app cannot depend on it`);
  if (needed.has(name)) return;
  needed.add(name);
  for (const [dep, range] of Object.entries(entry.manifest.dependencies ?? {}))
    if (String(range).startsWith('workspace:')) visit(dep);
};
WANTED.forEach(visit);

const scratch = mkdtempSync(join(tmpdir(), 'trl-pack-smoke-'));
const tarballs = join(scratch, 'tarballs');
const app = join(scratch, 'app');
mkdirSync(tarballs);
mkdirSync(app);
log(`packing ${[...needed].join(', ')} into ${tarballs}`);

// One build first, so each package's prepack (a turbo build of that package) is a cache hit.
run(
  'build',
  'npx',
  [
    '-y',
    'pnpm@12.4.2',
    'exec',
    'turbo',
    'run',
    'build',
    ...[...needed].map((n) => `--filter=${n}`),
    '--output-logs=errors-only',
  ],
  { cwd: root },
);
const files = {};
for (const name of needed) {
  const before = new Set(readdirSync(tarballs));
  run(`pnpm pack ${name}`, 'npx', [...PNPM, 'pack', '--pack-destination', tarballs], {
    cwd: workspace.get(name).dir,
  });
  const created = readdirSync(tarballs).filter((file) => !before.has(file));
  if (created.length !== 1)
    fail(`pnpm pack ${name}`, `expected one new tarball, found ${created.join(', ') || 'none'}`);
  files[name] = join(tarballs, created[0]);
  const listing = run(`inspect ${name}`, 'tar', ['-tzf', files[name]]).split('\n');
  for (const required of [
    'package/dist/index.js',
    'package/dist/index.cjs',
    'package/dist/index.d.ts',
    'package/README.md',
  ])
    if (!listing.includes(required))
      fail(`inspect ${name}`, `${created[0]} lacks ${required.slice(8)} (was the package built?)`);
  const packed = run(`inspect ${name}`, 'tar', ['-xzOf', files[name], 'package/package.json']);
  if (packed.includes('workspace:'))
    fail(`inspect ${name}`, `the packed package.json still has a workspace: range`);
}
log('packed; installing into the scratch app with npm');

// Every @trl package resolves to its tarball, including the ones the others depend on: the registry
// may hold unrelated packages under these names.
const fileSpecs = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, `file:${file}`]));
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'trl-pack-smoke-app', private: true, version: '1.0.0', dependencies: fileSpecs, overrides: fileSpecs }, null, 2)}\n`,
);
run('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
log('installed; running the ESM program');

writeFileSync(
  join(app, 'esm.mjs'),
  `import assert from 'node:assert/strict';
import { crossEntropy, initBackend, tf } from '@trl/core';
import { createByteLevelTokenizer, Gpt2LMHeadModel } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { TrlConfigError } from '@trl/spec';
import { TextEnvironment } from '@trl/textenv';
import { Calculator } from '@trl/tools-calculator';

// The wasm binaries must be found inside the installed @tensorflow/tfjs-backend-wasm.
const info = await initBackend('wasm');
assert.equal(info.name, 'wasm');
const loss = tf.tidy(() => crossEntropy(tf.tensor2d([[0, 0, 10], [10, 0, 0]]), tf.tensor1d([2, 0], 'int32')));
assert.ok(loss.dataSync()[0] < 1e-3, 'crossEntropy of confident right answers is near 0');
loss.dispose();

const tokenizer = createByteLevelTokenizer();
const model = Gpt2LMHeadModel.create(
  { vocab_size: tokenizer.vocabSize, n_positions: 32, n_embd: 16, n_layer: 1, n_head: 2 },
  { seed: 0 },
);
const [row] = await model.generate([tokenizer.encode('2+2=')], { maxNewTokens: 5, doSample: false });
assert.equal(row.tokenIds.length, 5);
model.dispose();

assert.equal(new Calculator().call('(2 + 3) * 4', { signal: new AbortController().signal }), '20.0');
assert.equal(typeof TextEnvironment, 'function');
assert.equal(typeof PPOTrainer, 'function');
// One @trl/spec for every package: the calculator's option error is the spec's class.
assert.throws(() => new Calculator({ decimalz: 1 }), TrlConfigError);
console.log('esm ok', info.name, row.tokenIds.length);
`,
);
const esm = run('ESM program', 'node', ['esm.mjs'], { cwd: app });
if (!esm.includes('esm ok wasm 5')) fail('ESM program', `unexpected output:\n${esm}`);

log('running the CommonJS program');
writeFileSync(
  join(app, 'cjs.cjs'),
  `const assert = require('node:assert/strict');
const { initBackend, tf } = require('@trl/core');
const { createByteLevelTokenizer } = require('@trl/models');
const { TextEnvironment } = require('@trl/textenv');
const { Calculator } = require('@trl/tools-calculator');

(async () => {
  const info = await initBackend('cpu');
  assert.equal(info.name, 'cpu');
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).arraySync());
  assert.deepEqual(product, [[11]]);

  // A scripted policy that calls the real Calculator tool once, then submits what it read.
  const tokenizer = createByteLevelTokenizer();
  const policy = {
    specificationVersion: 'v1',
    info: { modelType: 'scripted', vocabSize: tokenizer.vocabSize, maxPositions: 256, hiddenSize: 1 },
    async generate(prompts) {
      return prompts.map((prompt) => {
        const text = tokenizer.decode(prompt);
        const reply = text.endsWith('<response>')
          ? text.slice(text.lastIndexOf('<call>') + 6, -'<response>'.length) + '<submit>'
          : '<request><Calculator>6*7<call>';
        const tokenIds = tokenizer.encode(reply);
        return { tokenIds, logprobs: tokenIds.map(() => 0), finishReason: 'stop-string' };
      });
    },
    forward: () => { throw new Error('not used'); },
    trainableVariables: () => [],
    savePretrained: async () => {},
    dispose: () => {},
  };
  const env = new TextEnvironment({
    model: policy,
    tokenizer,
    tools: [new Calculator()],
    prompt: '',
    rewardFn: (histories) => histories.map((h) => (h.text.endsWith('42.0<submit>') ? 1 : 0)),
  });
  const { rewards, stats } = await env.run(['What is 6*7?']);
  assert.deepEqual(rewards, [1]);
  assert.equal(stats.tools.Calculator.calls, 1);
  console.log('cjs ok', info.name, rewards[0]);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`,
);
const cjs = run('CommonJS program', 'node', ['cjs.cjs'], { cwd: app });
if (!cjs.includes('cjs ok cpu 1')) fail('CommonJS program', `unexpected output:\n${cjs}`);

// The @trl/ppo README snippet as written (it is plain JavaScript), writing its run to the scratch dir.
log('running the @trl/ppo README snippet');
const readme = readFileSync(join(workspace.get('@trl/ppo').dir, 'README.md'), 'utf8');
const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
if (!snippet) fail('README snippet', 'packages/ppo/README.md has no ```ts block');
writeFileSync(join(app, 'ppo-readme.mjs'), snippet.replaceAll('/tmp/my-ppo-run', join(scratch, 'ppo-run')));
const steps = run('@trl/ppo README snippet', 'node', ['ppo-readme.mjs'], { cwd: app }).trim().split('\n');
if (steps.length !== 3 || !steps.every((line, i) => line.startsWith(`${i} `)))
  fail('@trl/ppo README snippet', `expected three lines logging steps 0, 1, 2, got:\n${steps.join('\n')}`);

if (keep) log(`kept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
log(
  `ok: ${needed.size} tarballs installed with npm outside the workspace; ESM, CommonJS and README snippet ran`,
);
