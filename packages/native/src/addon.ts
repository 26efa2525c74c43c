import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Activation codes understood by the addon's epilogue (see csrc/sgemm.h). */
export const NATIVE_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4 } as const;

/** An activation the native epilogue can fuse after the product. */
export type NativeActivation = keyof typeof NATIVE_ACTIVATIONS;

/** The functions the compiled addon (build/Release/trl_native.node) exports. */
export interface NativeAddon {
  /**
   * C = op(A) · op(B) for `batch` row-major products inside one buffer, then `+ bias` and an
   * activation. Offsets are in bytes, batch strides in floats (0 broadcasts an operand);
   * `biasOffset < 0` means no bias, `biasSize` is 1 or n. Every extent is bounds-checked.
   */
  sgemm(
    buffer: ArrayBufferLike | ArrayBufferView,
    aOffset: number,
    bOffset: number,
    cOffset: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    batchStrideA: number,
    batchStrideB: number,
    biasOffset: number,
    biasSize: number,
    activation: number,
    leakyAlpha: number,
  ): void;
  /** Sets how many threads a large product may use (1 or 2); returns the value in force. */
  setThreads(threads: number): number;
  /** The thread count in force. */
  getThreads(): number;
  /** Forces a micro-kernel; returns false when this CPU cannot run the one asked for. */
  setKernel(kernel: 'auto' | 'portable' | 'avx2'): boolean;
  /** The micro-kernel in use: `avx2-fma-6x16` or `portable-6x16`. */
  kernelName(): string;
  /** Whether this CPU (and OS) supports AVX2 and FMA. */
  hasAvx2Fma(): boolean;
  /**
   * A GPT-2 inference decoder holding copies of `weights` (embeddings, 12 arrays per block, final
   * norm, optional untied head) and a cache for `dims` = [layers, width, heads, vocab, maxPositions,
   * inner, maxRows, maxSlots].
   */
  decoderCreate(
    dims: Int32Array,
    epsilon: number,
    weights: readonly Float32Array[],
    separateHead: boolean,
  ): NativeDecoderHandle;
  /**
   * A Llama-style inference decoder (RMSNorm, RoPE, grouped-query attention, SwiGLU) holding copies
   * of `weights` — the embedding, the inverse frequencies, 18 slots per layer, the final norm and
   * the untied head, null where optional and absent (see csrc/rotary_decoder.h) — and a cache for
   * `dims` = [layers, hidden, heads, kvHeads, headDim, vocab, inner, maxRows, maxSlots]. Its handle
   * works with decoderForward, decoderReset and decoderFree.
   */
  rotaryDecoderCreate(
    dims: Int32Array,
    epsilon: number,
    weights: readonly (Float32Array | null)[],
  ): NativeDecoderHandle;
  /** Appends `[rows, length]` tokens and writes each row's last logits to `logits`. Throws on bad input. */
  decoderForward(
    handle: NativeDecoderHandle,
    tokens: Int32Array,
    positions: Int32Array,
    mask: Int32Array,
    rows: number,
    length: number,
    keep: Int32Array | null,
    logits: Float32Array,
  ): void;
  /** Empties the decoder's cache. */
  decoderReset(handle: NativeDecoderHandle): void;
  /** Frees the decoder now (otherwise at garbage collection). */
  decoderFree(handle: NativeDecoderHandle): void;
  /**
   * One AdamW update of `count` floats on `buffer` (byte offsets): reads param, grad and the two
   * moments, writes the new param and moments to the three output offsets (see csrc/addon.cc).
   */
  adamw(
    buffer: ArrayBufferLike,
    paramOffset: number,
    gradOffset: number,
    firstOffset: number,
    secondOffset: number,
    outParamOffset: number,
    outFirstOffset: number,
    outSecondOffset: number,
    count: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    decayFactor: number,
    stepSize: number,
    biasCorrection2Sqrt: number,
  ): void;
}

/** An opaque native decoder. */
export type NativeDecoderHandle = { readonly __nativeDecoder: unique symbol };

const ADDON_FILE = join('build', 'Release', 'trl_native.node');
const FAILURE_MARKER = join('build', 'native-build-failed.txt');

let loaded: NativeAddon | undefined;
let lastFailure: string | undefined;

/** This package's root: src/ (sources, tests) and dist/ (builds) both sit one level below it. */
function packageRoot(): string {
  const here =
    typeof __filename === 'string' && __filename.length > 0 ? __filename : fileURLToPath(import.meta.url);
  return dirname(dirname(here));
}

function isNativeAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return [
    'sgemm',
    'setThreads',
    'getThreads',
    'setKernel',
    'kernelName',
    'hasAvx2Fma',
    'decoderCreate',
    'rotaryDecoderCreate',
    'decoderForward',
    'decoderReset',
    'decoderFree',
    'adamw',
  ].every((name) => typeof record[name] === 'function');
}

/** Whether TRL_NATIVE_DISABLE=1 asks for the stock kernels (checked on every call). */
export function nativeDisabledByEnv(): boolean {
  return process.env.TRL_NATIVE_DISABLE === '1';
}

/**
 * Loads the compiled addon once. Returns undefined (never throws) when it is disabled, was not
 * built, or does not load; {@link addonFailure} then says why.
 */
export function loadAddon(): NativeAddon | undefined {
  if (nativeDisabledByEnv()) {
    lastFailure = 'disabled by TRL_NATIVE_DISABLE=1';
    return undefined;
  }
  if (loaded) return loaded;
  const root = packageRoot();
  const file = join(root, ADDON_FILE);
  if (!existsSync(file)) {
    lastFailure = existsSync(join(root, FAILURE_MARKER))
      ? `the addon failed to build at install; see ${join(root, FAILURE_MARKER)}`
      : `${file} is missing; build it with \`node scripts/build.mjs\` in ${root}`;
    return undefined;
  }
  try {
    const required: unknown = createRequire(join(root, 'package.json'))(file);
    if (!isNativeAddon(required)) {
      lastFailure = `${file} does not export the expected functions; rebuild it`;
      return undefined;
    }
    loaded = required;
    lastFailure = undefined;
    return loaded;
  } catch (error) {
    lastFailure = `${file} failed to load: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  }
}

/** Why the last {@link loadAddon} returned undefined, or undefined if it succeeded. */
export function addonFailure(): string | undefined {
  return lastFailure;
}
