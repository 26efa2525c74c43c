import {
  type FastDecoder,
  type FastDecoderCapability,
  type FastDecoderLimits,
  type PreNormDecoderShape,
  type PreNormDecoderWeights,
  type RotaryDecoderLinear,
  type RotaryDecoderShape,
  type RotaryDecoderWeights,
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

/** Weight slots in the order the addon's rotaryDecoderCreate takes them (csrc/rotary_decoder.h). */
function rotarySlots(weights: RotaryDecoderWeights): (Float32Array | null)[] {
  const linear = (projection: RotaryDecoderLinear) => [projection.weight, projection.bias ?? null];
  const slots: (Float32Array | null)[] = [weights.tokenEmbedding, weights.inverseFrequencies];
  for (const layer of weights.layers) {
    slots.push(
      layer.inputNorm,
      ...linear(layer.q),
      ...linear(layer.k),
      ...linear(layer.v),
      ...linear(layer.o),
      layer.qNorm ?? null,
      layer.kNorm ?? null,
      layer.postAttentionNorm,
      ...linear(layer.gate),
      ...linear(layer.up),
      ...linear(layer.down),
    );
  }
  slots.push(weights.finalNorm, weights.lmHead ?? null);
  return slots;
}

/** A native decoder handle behind @trl/core's FastDecoder interface. */
function wrapHandle(
  addon: NativeAddon,
  handle: NativeDecoderHandle,
  vocabSize: number,
  maxRows: number,
): FastDecoder {
  const logits = new Float32Array(maxRows * vocabSize);
  let disposed = false;
  return {
    forward(input) {
      if (disposed) throw new Error('This native decoder was disposed; create a new one.');
      const size = input.rows * vocabSize;
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

function createNativeDecoder(
  addon: NativeAddon,
  shape: PreNormDecoderShape,
  weights: PreNormDecoderWeights,
  limits: FastDecoderLimits,
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
  const handle = addon.decoderCreate(
    dims,
    shape.layerNormEpsilon,
    orderedWeights(weights),
    weights.lmHead !== undefined,
  );
  return wrapHandle(addon, handle, shape.vocabSize, limits.maxRows);
}

function createNativeRotaryDecoder(
  addon: NativeAddon,
  shape: RotaryDecoderShape,
  weights: RotaryDecoderWeights,
  limits: FastDecoderLimits,
): FastDecoder | undefined {
  if (weights.layers.length !== shape.layers) return undefined;
  const dims = Int32Array.of(
    shape.layers,
    shape.hidden,
    shape.heads,
    shape.kvHeads,
    shape.headDim,
    shape.vocabSize,
    shape.intermediate,
    limits.maxRows,
    limits.maxLength,
  );
  const handle = addon.rotaryDecoderCreate(dims, shape.rmsNormEpsilon, rotarySlots(weights));
  return wrapHandle(addon, handle, shape.vocabSize, limits.maxRows);
}

/**
 * The native decoders as @trl/core's `fastDecoder` capability: GPT-2 through `create`, the Llama
 * family through `createRotary` (undefined when the addon is not loaded).
 */
export function nativeDecoderProvider(): FastDecoderCapability | undefined {
  const addon = loadAddon();
  if (!addon) return undefined;
  return {
    name: '@trl/native',
    create: (shape, weights, limits) => createNativeDecoder(addon, shape, weights, limits),
    createRotary: (shape, weights, limits) => createNativeRotaryDecoder(addon, shape, weights, limits),
  };
}

let unregister: (() => void) | undefined;

/**
 * Makes models generate through the native decoder: one native call per decoding step for a
 * GPT-2 or Llama-family model instead of hundreds of tensor ops. Works on any tfjs backend (the
 * decoder takes a copy of the weights per generate call). Returns false when the addon is not available.
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
