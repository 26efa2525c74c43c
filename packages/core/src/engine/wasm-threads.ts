import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { moduleRequire } from './module-require';
import { installPthreadWorker } from './wasm-pthread-worker';

/** The threaded wasm build pre-spawns 8 pthread workers and caps XNNPACK's pool at that many. */
export const MAX_WASM_THREADS = 8;

/** Options of {@link initBackend} beyond the backend name. */
export interface InitBackendOptions {
  /**
   * Threads for the wasm backend's XNNPACK kernels; ignored by the other backends. Leave unset for
   * tfjs's Node default, the single-threaded SIMD build. A value above 1 switches to the
   * threaded SIMD build, which tfjs disables in Node and trl-ts enables with a runtime shim (see
   * packages/core/docs/wasm-threads.md for what it gains). Changing it re-creates the wasm
   * backend, so it must hold no tensors at that point.
   */
  threads?: number;
}

const optionsSchema = z
  .object({
    threads: z.number().int().min(1).max(MAX_WASM_THREADS).optional(),
  })
  .strict();

/** Validates {@link InitBackendOptions}, naming the bad field in the Error. */
export function parseInitBackendOptions(options: unknown): InitBackendOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new TrlError(
      'invalid-value',
      `initBackend: invalid options: ${z.prettifyError(parsed.error)}\n` +
        `Pass { threads: n } with an integer n from 1 to ${MAX_WASM_THREADS}, or omit it.`,
    );
  }
  return parsed.data;
}

/** The wasm backend instance, if it was initialised (looking it up must not start an initialisation). */
function initialisedWasmBackend(): tf.KernelBackend | undefined {
  return tf.engine().registry.wasm;
}

/**
 * Makes wasm the active backend, with `threads` XNNPACK threads when given. Returns false when
 * the backend cannot initialise, like `tf.setBackend`.
 */
export async function activateWasm(threads: number | undefined): Promise<boolean> {
  const existing = initialisedWasmBackend();
  if (threads === undefined || (existing && getThreadsCount() === threads)) return tf.setBackend('wasm');
  if (existing) recreateWasmBackend(existing, threads);

  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  setThreadsCount(threads);
  if (threads === 1) return tf.setBackend('wasm');

  installPthreadWorker();
  const ok = await withLogicalCores(2 * threads, () => tf.setBackend('wasm'));
  if (ok) return true;
  // Leave tfjs able to fall back to the single-threaded build on a later call.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  throw new Error(
    `initBackend: the threaded wasm backend (threads: ${threads}) failed to initialise; ` +
      'see the error tfjs logged above. Use threads: 1 (or omit it) for the single-threaded build.',
  );
}

/**
 * Drops the initialised wasm backend so the next `setBackend('wasm')` instantiates a fresh module
 * with the current flags. tfjs has no API for this; re-registering its own factory is the
 * documented way to replace a backend.
 */
function recreateWasmBackend(existing: tf.KernelBackend, threads: number): void {
  const held = existing.numDataIds();
  if (held > 0) {
    throw new Error(
      `initBackend: cannot change the wasm backend from ${getThreadsCount()} to ${threads} thread(s) ` +
        `while it holds ${held} tensor(s), which would be lost. Dispose them first, or pass ` +
        `{ threads: ${threads} } to the first initBackend('wasm') call.`,
    );
  }
  const factory = tf.findBackendFactory('wasm');
  if (!factory) throw new Error('initBackend: tfjs-backend-wasm is not registered with tfjs.');
  const pthreads = (existing as { wasm?: { PThread?: { terminateAllThreads(): void } } | null }).wasm
    ?.PThread;
  tf.removeBackend('wasm');
  pthreads?.terminateAllThreads();
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
}

/** tfjs-backend-wasm registers itself with this priority (below webgl, above cpu). */
const WASM_PRIORITY = 2;

/**
 * Runs `start` while `os.cpus()` reports `count` CPUs. The threaded build caps its pool at half
 * the logical cores (a guess at hyper-threading made for browsers), which is 1 on a 2-core
 * machine, and reads the core count only while the module starts.
 */
async function withLogicalCores<T>(count: number, start: () => Promise<T>): Promise<T> {
  const os = moduleRequire()('node:os') as { cpus: () => ReturnType<typeof import('node:os').cpus> };
  const realCpus = os.cpus;
  const cpu = realCpus()[0];
  os.cpus = () => (cpu ? Array.from({ length: count }, () => cpu) : []);
  try {
    return await start();
  } finally {
    os.cpus = realCpus;
  }
}
