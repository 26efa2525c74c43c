#!/usr/bin/env node
// Builds the optional addon at install time with the node-gyp that npm bundles, against Node's
// local headers (no download). Never fails the install: on any error it writes
// build/native-build-failed.txt and exits 0, and loadNativeKernels() then returns false.
//
//   node scripts/build.mjs            (install hook)
//   node scripts/build.mjs --strict   (exit 1 on failure, for development)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageDir, 'build');
const marker = join(buildDir, 'native-build-failed.txt');
const strict = process.argv.includes('--strict');

/** node-gyp's entry: an explicit override, else the copy inside the npm next to this node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((path) => path && existsSync(path));
}

/** A prefix whose include/node holds node_api.h, so node-gyp never downloads headers. */
function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    resolve(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ];
  return candidates.find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h')));
}

function fail(reason, log = '') {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(marker, `${reason}\n\n${log}`);
  console.warn(`@trl/native: native kernels not built (${reason}); the stock wasm kernels will be used.`);
  process.exit(strict ? 1 : 0);
}

function main() {
  if (process.env.TRL_NATIVE_SKIP_BUILD === '1') fail('TRL_NATIVE_SKIP_BUILD=1');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) fail('node-gyp not found (set npm_config_node_gyp to its bin/node-gyp.js)');
  const nodeDir = findNodeDir();
  if (!nodeDir) fail("Node's headers (include/node/node_api.h) not found; set npm_config_nodedir");
  rmSync(marker, { force: true });
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--release'], {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_nodedir: nodeDir },
    timeout: 300_000,
  });
  const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  if (result.error) fail(`node-gyp could not run: ${result.error.message}`, log);
  if (result.status !== 0) fail(`node-gyp exited with ${result.status}`, log);
  if (!existsSync(join(buildDir, 'Release', 'trl_native.node')))
    fail('node-gyp produced no trl_native.node', log);
  console.log('@trl/native: built build/Release/trl_native.node');
}

try {
  main();
} catch (error) {
  fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}
