import {
  type FastDecoder,
  type FastDecoderProvider,
  type PreNormDecoderShape,
  type PreNormDecoderWeights,
  registerCapability,
} from '@trl/core';
import { loadAddon, type NativeAddon, type NativeDecoderHandle } from './addon';

/** Weights in the order the addon's decoderCreate takes them. */
function orderedWeights(weights: PreNormDecoderWeights): Float32Array[] {
  const ordered = [weights.tokenEmbedding, weights.positionEmbedding];
  for (const layer of weights.layers) {
    ordered.push(
      layer.ln1Weight,
      layer.ln1Bias,
      layer.qkvWeight,
      layer.qkvBias,
      layer.outWeight,
      layer.outBias,
      layer.ln2Weight,
      layer.ln2Bias,
      layer.upWeight,
      layer.upBias,
      layer.downWeight,
      layer.downBias,
    );
  }
  ordered.push(weights.finalNormWeight, weights.finalNormBias);
  if (weights.lmHead) ordered.push(weights.lmHead);
  return ordered;
}

function createNativeDecoder(
  addon: NativeAddon,
  shape: PreNormDecoderShape,
  weights: PreNormDecoderWeights,
  limits: { readonly maxRows: number; readonly maxLength: number },
): FastDecoder | undefined {
  if (shape.activation !== 'gelu_new' || weights.layers.length !== shape.layers) return undefined;
  const dims = Int32Array.of(
    shape.layers,
    shape.width,
    shape.heads,
    shape.vocabSize,
    shape.maxPositions,
    shape.innerWidth,
    limits.maxRows,
    limits.maxLength,
  );
  const handle: NativeDecoderHandle = addon.decoderCreate(
    dims,
    shape.layerNormEpsilon,
    orderedWeights(weights),
    weights.lmHead !== undefined,
  );
  const logits = new Float32Array(limits.maxRows * shape.vocabSize);
  let disposed = false;
  return {
    forward(input) {
      if (disposed) throw new Error('This native decoder was disposed; create a new one.');
      const size = input.rows * shape.vocabSize;
      addon.decoderForward(
        handle,
        input.tokens,
        input.positions,
        input.mask,
        input.rows,
        input.length,
        input.keep ?? null,
        logits,
      );
      // One buffer for the whole generation rather than an allocation per step; callers copy.
      return logits.subarray(0, size);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      addon.decoderFree(handle);
    },
  };
}

/** The native decoder as a @trl/core fast decoder provider (undefined when the addon is not loaded). */
export function nativeDecoderProvider(): FastDecoderProvider | undefined {
  const addon = loadAddon();
  if (!addon) return undefined;
  return {
    name: '@trl/native',
    create: (shape, weights, limits) => createNativeDecoder(addon, shape, weights, limits),
  };
}

let unregister: (() => void) | undefined;

/**
 * Makes models generate through the native decoder: one native call per decoding step for a
 * GPT-2-style model instead of hundreds of tensor ops. Works on any tfjs backend (the decoder
 * takes a copy of the weights per generate call). Returns false when the addon is not available.
 */
export function registerNativeDecoder(): boolean {
  const provider = nativeDecoderProvider();
  if (!provider) return false;
  unregister?.();
  unregister = registerCapability('fastDecoder', provider);
  return true;
}

/** Stops models from using the native decoder (a no-op when it is not registered). */
export function unregisterNativeDecoder(): void {
  unregister?.();
  unregister = undefined;
}
