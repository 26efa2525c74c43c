import { registerCapability, type TransposedMatMulProvider, tf } from '@trl/core';
import { addonFailure, loadAddon, type NativeAddon } from './addon';
import { registerNativeDecoder, unregisterNativeDecoder } from './fast-decoder';
import { nativeFusedAdamWProvider } from './fused-adamw';
import { type KernelCallCounts, kernelCallCounts, nativeBatchMatMul, nativeFusedMatMul } from './kernels';
import {
  type NativeKernelName,
  type NativeKernelOptions,
  type ResolvedNativeKernelOptions,
  resolveNativeKernelOptions,
} from './options';

/** The tfjs version whose wasm-backend internals (heap, data map) these kernels were written against. */
export const SUPPORTED_TFJS_VERSION = '4.22.';

/** What {@link nativeKernelStatus} reports. */
export interface NativeKernelStatus {
  /** Whether the compiled addon is loaded. */
  loaded: boolean;
  /** Kernels currently replaced in the wasm backend. */
  registered: NativeKernelName[];
  /** The micro-kernel in use (`avx2-fma-6x16` or `portable-6x16`), when loaded. */
  microKernel?: string;
  /** Threads a large product may use, when loaded. */
  threads?: number;
  /** Calls of the replaced kernels so far, native and handed to the stock kernel. */
  calls: KernelCallCounts;
  /** Why native kernels are not (or no longer) in use, if they are not. */
  reason?: string;
}

/**
 * Claimed while the native BatchMatMul serves wasm: the addon multiplies transposed operands as fast
 * as plain ones, so @trl/core's matmul gradients and GPT-2's LM head use the transpose flags.
 */
const FAST_TRANSPOSED_MATMUL: TransposedMatMulProvider = {
  name: '@trl/native',
  supportsBackend: (backendName) => backendName === 'wasm',
};

let unregisterTransposedMatMul: (() => void) | undefined;
let unregisterFusedAdamW: (() => void) | undefined;

/** Registers or withdraws the `transposedMatMul` capability. */
function claimFastTransposedMatMul(on: boolean): void {
  unregisterTransposedMatMul?.();
  unregisterTransposedMatMul = on
    ? registerCapability('transposedMatMul', FAST_TRANSPOSED_MATMUL)
    : undefined;
}

const stockConfigs = new Map<NativeKernelName, tf.KernelConfig>();
let failure: string | undefined;

/**
 * Loads the compiled addon. Returns false — never throws — when TRL_NATIVE_DISABLE=1 is set, the
 * addon was not built (a failed build at install is not an error), or it does not load.
 */
export function loadNativeKernels(): boolean {
  return loadAddon() !== undefined;
}

function factoryFor(name: NativeKernelName) {
  return name === 'BatchMatMul' ? nativeBatchMatMul : nativeFusedMatMul;
}

function onNativeFailure(error: unknown): void {
  if (failure) return;
  // The matmul kernels now hand every call to the stock kernel, whose transposed products are slow.
  claimFastTransposedMatMul(false);
  failure = `a native call failed, using the stock kernels from now on: ${error instanceof Error ? error.message : String(error)}`;
  console.warn(`@trl/native: ${failure}`);
}

function install(addon: NativeAddon, options: ResolvedNativeKernelOptions): void {
  for (const name of options.kernels) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    const kernelFunc = factoryFor(name)({
      addon,
      options,
      stock: stock.kernelFunc,
      enabled: () => failure === undefined,
      onFailure: onNativeFailure,
    });
    tf.unregisterKernel(name, 'wasm');
    // Keep the stock setup/dispose hooks: the stock kernel, our fallback, needs its setup to have
    // run when the wasm backend initialises after this call.
    tf.registerKernel({ ...stock, kernelFunc });
    stockConfigs.set(name, stock);
  }
}

/**
 * Replaces the wasm backend's BatchMatMul and _FusedMatMul with the native AVX2/FMA GEMM, which
 * works in place on the wasm heap. Call it once, before or after `initBackend('wasm')`; calling
 * again re-applies new options. Returns false (leaving the stock kernels) when the addon is
 * unavailable or tfjs is not the version these internals were checked against; see
 * {@link nativeKernelStatus} for the reason. Invalid options throw.
 */
export function registerNativeKernels(options: NativeKernelOptions = {}): boolean {
  const resolved = resolveNativeKernelOptions(options);
  const addon = loadAddon();
  if (!addon) return false;
  if (!tf.version_core.startsWith(SUPPORTED_TFJS_VERSION)) {
    failure = `tfjs ${tf.version_core} is not ${SUPPORTED_TFJS_VERSION}x, whose wasm internals these kernels use`;
    return false;
  }
  if (!addon.setKernel(resolved.microKernel)) {
    failure = `micro-kernel ${resolved.microKernel} is not supported on this CPU`;
    return false;
  }
  addon.setThreads(resolved.threads);
  unregisterNativeKernels();
  failure = undefined;
  install(addon, resolved);
  if (resolved.decoder) registerNativeDecoder();
  if (resolved.adamw)
    unregisterFusedAdamW = registerCapability('fusedAdamW', nativeFusedAdamWProvider(addon, onNativeFailure));
  claimFastTransposedMatMul(stockConfigs.has('BatchMatMul'));
  if (stockConfigs.size === 0)
    failure = 'the wasm backend registered no matmul kernels to replace (is tfjs-backend-wasm loaded?)';
  return stockConfigs.size > 0;
}

/** Restores the stock wasm kernels replaced by {@link registerNativeKernels} (a no-op if none were). */
export function unregisterNativeKernels(): void {
  for (const [name, stock] of stockConfigs) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  stockConfigs.clear();
  unregisterNativeDecoder();
  unregisterFusedAdamW?.();
  unregisterFusedAdamW = undefined;
  claimFastTransposedMatMul(false);
}

/** Whether the addon is loaded, which kernels are replaced, and why not when they are not. */
export function nativeKernelStatus(): NativeKernelStatus {
  const addon = loadAddon();
  const registered = [...stockConfigs.keys()];
  const status: NativeKernelStatus = { loaded: addon !== undefined, registered, calls: kernelCallCounts() };
  if (addon) {
    status.microKernel = addon.kernelName();
    status.threads = addon.getThreads();
  }
  const reason = addon ? failure : addonFailure();
  if (reason) status.reason = reason;
  return status;
}

/** The loaded addon for direct use on your own buffers (benchmarks, tests), or undefined. */
export function nativeAddon(): NativeAddon | undefined {
  return loadAddon();
}
