import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { TrlError } from '@trl/spec';
import {
  BACKEND_PREFERENCES,
  type BackendInfo,
  type BackendName,
  type BackendPreference,
} from './backend-info';
import { withoutNewProcessHandlers } from './process-handlers';
import { installTensorflowKernelFixes } from './tensorflow-kernels';
import { loadTfjsNodeBinding, TFJS_NODE_PACKAGES, tfjsNodeInstallCommand } from './tfjs-node-binding';
import { configureWasmBinaries, wasmBinaryDirectory } from './wasm-binaries';
import { installWasmHeapKernels } from './wasm-heap-kernels';
import { activateWasm, type InitBackendOptions, parseInitBackendOptions } from './wasm-threads';

/** The order `auto` tries backends in: fastest first, the always-available pure-JS one last. */
const AUTO_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

let current: BackendInfo | undefined;
// Serialises initialisations: two concurrent setBackend calls would race on tfjs's global engine.
let pending: Promise<unknown> = Promise.resolve();

/**
 * Selects and initialises the tfjs backend, returning which one is active.
 *
 * `auto` tries tfjs-node-gpu, then tfjs-node (optional peers), then wasm, then cpu; when a backend
 * was already chosen by an earlier call and is still active, `auto` keeps it. An explicit name
 * that cannot be used throws an Error explaining how to install it. Repeated calls are cheap:
 * switching to a backend that is already initialised does not reload anything. `options.threads`
 * opts the wasm backend into its multithreaded build (see {@link InitBackendOptions}).
 */
export function initBackend(
  preference: BackendPreference = 'auto',
  options?: InitBackendOptions,
): Promise<BackendInfo> {
  const run = pending.then(() => select(preference, parseInitBackendOptions(options).threads));
  pending = run.catch(() => undefined);
  return run;
}

/** The backend chosen by the last {@link initBackend}, or undefined if none was or tfjs has since switched away. */
export function getBackendInfo(): BackendInfo | undefined {
  if (current && tf.engine().backendName === current.tfBackend) return current;
  return undefined;
}

async function select(preference: BackendPreference, threads: number | undefined): Promise<BackendInfo> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    const expected = BACKEND_PREFERENCES.map((name) => `'${name}'`).join(', ');
    throw new TrlError(
      'invalid-argument',
      `initBackend: unknown backend '${String(preference)}'; expected one of ${expected}.`,
    );
  }
  const active = getBackendInfo();
  const threadsMatch = threads === undefined || active?.name !== 'wasm' || active.threads === threads;
  if (active && (preference === 'auto' || preference === active.name) && threadsMatch) return active;

  const candidates = preference === 'auto' ? AUTO_ORDER : [preference];
  for (const name of candidates) {
    const info = await activate(name, threads);
    if (info) {
      current = info;
      return info;
    }
  }
  if (preference === 'auto')
    throw new Error('initBackend: no tfjs backend could be initialised, not even cpu.');
  throw unavailable(preference);
}

/** Makes `name` the active backend, or returns undefined when it cannot be used here. */
async function activate(name: BackendName, threads: number | undefined): Promise<BackendInfo | undefined> {
  switch (name) {
    case 'node-gpu':
    case 'node': {
      const tfBackend = loadTfjsNodeBinding(name);
      if (!tfBackend || !(await tf.setBackend(tfBackend))) return undefined;
      installTensorflowKernelFixes();
      return { name, tfBackend, simd: true, threads: availableParallelism() };
    }
    case 'wasm': {
      configureWasmBinaries();
      // emscripten's glue would take over the process's error handling; keep Node's.
      if (!(await withoutNewProcessHandlers(() => activateWasm(threads)))) return undefined;
      installWasmHeapKernels();
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { name, tfBackend: 'wasm', simd, threads: getThreadsCount() };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) return undefined;
      silenceCpuNodeNotice();
      return { name, tfBackend: 'cpu', simd: false, threads: 1 };
    }
  }
}

// tfjs's cpu backend prints a banner recommending tfjs-node on its first tensor in Node. Choosing cpu
// here is deliberate (the engine table documents the trade-off), so the notice is noise; only that
// one-shot flag is cleared, every other tfjs warning still shows.
function silenceCpuNodeNotice(): void {
  const cpu = tf.engine().registry.cpu as { firstUse?: unknown } | undefined;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

function unavailable(name: BackendName): Error {
  if (name === 'node' || name === 'node-gpu') {
    return new Error(
      `initBackend: backend '${name}' is unavailable because ${TFJS_NODE_PACKAGES[name]} is not installed. ` +
        `Install it with \`${tfjsNodeInstallCommand(name)}\` (its install script downloads libtensorflow), ` +
        `or use 'wasm'.`,
    );
  }
  if (name === 'wasm') {
    return new Error(
      `initBackend: the wasm backend failed to initialise; its binaries are expected in ${wasmBinaryDirectory()}. ` +
        `Reinstall @tensorflow/tfjs-backend-wasm@${tf.version_core}, or use 'cpu'.`,
    );
  }
  return new Error(`initBackend: the ${name} backend failed to initialise.`);
}
