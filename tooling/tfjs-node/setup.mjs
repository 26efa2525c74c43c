#!/usr/bin/env node
// Makes `@tensorflow/tfjs-node` work without its install-time download of libtensorflow, from a
// TensorFlow CPU Python wheel already on disk (the wheel ships TensorFlow's C API library and
// headers). On a machine that can reach Google's storage, `npm i @tensorflow/tfjs-node` is the
// ordinary path and this script is not needed.
//
//   node tooling/tfjs-node/setup.mjs [--wheel path/to/tensorflow_cpu-*.whl] [--force]
//   node tooling/tfjs-node/setup.mjs --find-wheel   # only print the wheel it would use (exit 1: none)
//
// What it does, all under `<repo>/.tfjs-node/` (git-ignored, ~900 MB):
//   1. installs @tensorflow/tfjs-node at the workspace's tfjs version with install scripts off;
//   2. unpacks libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers from the
//      wheel into the package's deps/ (where its binding.gyp looks);
//   3. builds the binding with the node-gyp that npm bundles, against Node's local headers;
//   4. points its @tensorflow/tfjs at the workspace's copy (one tfjs engine, not two) and links the
//      package into `<repo>/node_modules`, where `initBackend` finds it;
//   5. checks that a child process gets the `tensorflow` backend and a correct matmul from it.
// Run it again after `pnpm install` (which may prune the link); it reuses what is already built.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const installDir = join(repoRoot, '.tfjs-node');
const args = process.argv.slice(2);
const force = args.includes('--force');

function fail(message) {
  console.error(`tfjs-node setup: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`tfjs-node setup: ${message}`);
}

function flagValue(name) {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith('--')) fail(`${name} needs a value (a path to a tensorflow_cpu-*.whl)`);
  return value;
}

for (const arg of args) {
  if (arg.startsWith('--') && !['--wheel', '--force', '--find-wheel'].includes(arg))
    fail(`unknown option ${arg}; expected --wheel <path>, --force or --find-wheel`);
}

/** The wheel: --wheel, then $TRL_TENSORFLOW_WHEEL, then the newest CPU wheel in the usual wheel folders. */
function findWheel() {
  const explicit = flagValue('--wheel') ?? process.env.TRL_TENSORFLOW_WHEEL;
  if (explicit) {
    if (!existsSync(explicit)) fail(`wheel ${explicit} does not exist`);
    return explicit;
  }
  const folders = [
    ...(process.env.PIP_FIND_LINKS ?? '').split(/\s+/).filter(Boolean),
    '/opt/pypi/files',
    join(homedir(), '.cache', 'trl-ts', 'wheels'),
  ];
  const found = [];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (/^tensorflow(_cpu)?-\d[^-]*-.*manylinux.*x86_64\.whl$/.test(name)) found.push(join(folder, name));
    }
  }
  if (found.length === 0)
    fail(
      `no TensorFlow wheel found in ${folders.join(', ')}. Pass --wheel <tensorflow_cpu-*.whl>, or on a ` +
        'machine with internet access install the binding the ordinary way: npm i @tensorflow/tfjs-node',
    );
  return found.sort().at(-1);
}

/** The tfjs the workspace resolves (the one @trl/core drives); the binding must use this copy. */
function workspaceTfjs() {
  const fromCore = join(repoRoot, 'packages', 'core', 'node_modules', '@tensorflow', 'tfjs');
  if (!existsSync(fromCore))
    fail('packages/core/node_modules/@tensorflow/tfjs is missing: run `npx -y pnpm@12.4.2 install` first');
  const dir = realpathSync(fromCore);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

function installPackage(version) {
  const packageDir = join(installDir, 'node_modules', '@tensorflow', 'tfjs-node');
  const installed = existsSync(join(packageDir, 'package.json'))
    ? JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version
    : undefined;
  if (installed === version && !force) return packageDir;
  if (force) rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  writeFileSync(
    join(installDir, 'package.json'),
    `${JSON.stringify({ name: 'trl-ts-tfjs-node', private: true, dependencies: { '@tensorflow/tfjs-node': version } }, null, 2)}\n`,
  );
  log(`installing @tensorflow/tfjs-node@${version} (install scripts off)`);
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], {
    cwd: installDir,
    stdio: 'inherit',
  });
  return packageDir;
}

// The wheel is a zip; python3 is present wherever node-gyp can run, and its zipfile streams members.
const EXTRACT = `
import os, shutil, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
libraries = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
headers = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/',
           'tensorflow/include/tsl/', 'tensorflow/include/xla/tsl/c/', 'tensorflow/include/xla/tsl/platform/')
found = set()
with zipfile.ZipFile(wheel) as archive:
    for info in archive.infolist():
        name = info.filename
        if name in libraries:
            target = os.path.join(deps, 'lib', os.path.basename(name))
            found.add(name)
        elif name.startswith(headers) and not name.endswith('/'):
            target = os.path.join(deps, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(info) as source, open(target + '.part', 'wb') as sink:
            shutil.copyfileobj(source, sink, 1 << 22)
        os.replace(target + '.part', target)
missing = libraries - found
if missing:
    sys.exit('the wheel lacks ' + ', '.join(sorted(missing)))
`;

function unpackLibraries(packageDir, wheel) {
  const deps = join(packageDir, 'deps');
  const lib = join(deps, 'lib');
  const library = join(lib, 'libtensorflow_cc.so.2');
  if (!existsSync(library) || force) {
    log(`unpacking libtensorflow and its C API headers from ${wheel}`);
    const result = spawnSync('python3', ['-c', EXTRACT, wheel, deps], { stdio: 'inherit' });
    if (result.error)
      fail(`python3 could not run (${result.error.message}); it is needed to unpack the wheel`);
    if (result.status !== 0) fail(`unpacking ${wheel} failed`);
  }
  // binding.gyp links -ltensorflow -ltensorflow_framework; the sonames are libtensorflow_cc.so.2 and
  // libtensorflow_framework.so.2. libtensorflow.so.2.9.1 is what tfjs-node's own install script
  // checks for before downloading, so its presence also keeps a later `npm rebuild` offline.
  const links = {
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    'libtensorflow.so.2': 'libtensorflow_cc.so.2',
    'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  };
  for (const [name, target] of Object.entries(links)) {
    rmSync(join(lib, name), { force: true });
    symlinkSync(target, join(lib, name));
  }
}

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
  return (
    candidates.find((path) => path && existsSync(path)) ??
    fail('node-gyp not found (set npm_config_node_gyp to its bin/node-gyp.js)')
  );
}

function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    resolve(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ];
  return (
    candidates.find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h'))) ??
    fail("Node's headers (include/node/node_api.h) not found; set npm_config_nodedir")
  );
}

/** The N-API version node-pre-gyp will look for: the highest the package lists that this Node supports. */
function napiVersion(packageDir) {
  const { binary } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const supported = Number(process.versions.napi);
  const usable = binary.napi_versions.filter((version) => version <= supported);
  if (usable.length === 0) fail(`this Node supports N-API ${supported}, older than any the binding lists`);
  return { moduleName: binary.module_name, version: Math.max(...usable) };
}

function buildBinding(packageDir) {
  const { moduleName, version } = napiVersion(packageDir);
  const modulePath = join(packageDir, 'lib', `napi-v${version}`);
  if (existsSync(join(modulePath, `${moduleName}.node`)) && !force) return;
  log(`building ${moduleName}.node (N-API ${version})`);
  const nodeDir = findNodeDir();
  const result = spawnSync(
    process.execPath,
    [
      findNodeGyp(),
      'rebuild',
      '--release',
      `--nodedir=${nodeDir}`,
      `--module_name=${moduleName}`,
      `--module_path=${modulePath}`,
      `--napi_build_version=${version}`,
    ],
    { cwd: packageDir, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: nodeDir } },
  );
  if (result.status !== 0) fail('node-gyp failed to build the binding (see its output above)');
}

function linkInto(target, linkPath) {
  mkdirSync(dirname(linkPath), { recursive: true });
  if (existsSync(linkPath) || isSymlink(linkPath)) rmSync(linkPath, { recursive: true, force: true });
  symlinkSync(target, linkPath, 'dir');
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function verify() {
  const script = `
    const { createRequire } = require('node:module');
    const fromCore = createRequire(${JSON.stringify(join(repoRoot, 'packages', 'core', 'package.json'))});
    const tf = fromCore('@tensorflow/tfjs');
    fromCore('@tensorflow/tfjs-node');
    tf.setBackend('tensorflow').then(() => {
      const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).arraySync();
      console.log(JSON.stringify({ backend: tf.getBackend(), product }));
    });`;
  const result = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let report;
  try {
    report = JSON.parse(line);
  } catch {
    fail(`the binding did not load:\n${result.stdout}\n${result.stderr}`);
  }
  const expected = JSON.stringify([
    [19, 22],
    [43, 50],
  ]);
  if (report.backend !== 'tensorflow' || JSON.stringify(report.product) !== expected)
    fail(`unexpected check result ${line} (wanted backend tensorflow, product ${expected})`);
  log('ok: @trl/core now finds the `tensorflow` backend (initBackend("auto") picks it)');
}

const wheel = findWheel();
if (args.includes('--find-wheel')) {
  console.log(wheel);
  process.exit(0);
}
const tfjs = workspaceTfjs();
const packageDir = installPackage(tfjs.version);
unpackLibraries(packageDir, wheel);
buildBinding(packageDir);
// One tfjs engine: the binding registers its backend on whichever tfjs it resolves.
linkInto(tfjs.dir, join(installDir, 'node_modules', '@tensorflow', 'tfjs'));
linkInto(packageDir, join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-node'));
verify();
