import {
  type FastDecoder,
  type FastDecoderCapability,
  type FastDecoderLimits,
  getCapability,
  type PreNormDecoderShape,
  type PreNormDecoderWeights,
  type RotaryDecoderLinear,
  type RotaryDecoderShape,
  type RotaryDecoderWeights,
  type tf,
} from '@trl/core';
import { positionsFromMask } from '../gpt2/input';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import type { LayerNormWeights, LinearWeights } from '../gpt2/weights';
import type { LlamaForCausalLM } from '../llama/model';
import type { LlamaLinear } from '../llama/weights';
import type { LoraAdapters } from '../lora/adapters';
import { type Decoding, leftPad } from './decoding';

/** Builds the provider's decoder for one generate call, or undefined when it declines. */
type DecoderFactory = (provider: FastDecoderCapability, limits: FastDecoderLimits) => FastDecoder | undefined;

/** What every fast decoding needs: the prompts, the pad id and each row's token budget. */
interface FastDecodingRequest {
  readonly prompts: readonly (readonly number[])[];
  readonly padTokenId: number;
  readonly budgets: readonly { readonly budget: number }[];
}

/**
 * Decoding through the registered fast decoder (e.g. @trl/native's), or undefined when none is
 * registered, the model has LoRA adapters (the decoder knows only plain weights), or the provider
 * declines the shape. The decoder gets a snapshot of the weights for this call.
 */
export function createFastDecoding(
  model: Gpt2LMHeadModel,
  prompts: readonly (readonly number[])[],
  padTokenId: number,
  budgets: readonly { readonly budget: number }[],
): Decoding | undefined {
  return startFastDecoding(model.adapters, { prompts, padTokenId, budgets }, (provider, limits) =>
    provider.create(decoderShape(model), decoderWeights(model), limits),
  );
}

/**
 * {@link createFastDecoding} for a Llama-family model, through the provider's `createRotary` (a
 * provider without it leaves the model on tensor ops). `inverseFrequencies` are the model's RoPE
 * frequencies after its scaling, so the decoder rotates exactly as the tensor model does.
 */
export function createRotaryFastDecoding(
  model: LlamaForCausalLM,
  inverseFrequencies: Float32Array,
  request: FastDecodingRequest,
): Decoding | undefined {
  return startFastDecoding(model.adapters, request, (provider, limits) =>
    provider.createRotary?.(rotaryShape(model), rotaryWeights(model, inverseFrequencies), limits),
  );
}

function startFastDecoding(
  adapters: LoraAdapters | undefined,
  { prompts, padTokenId, budgets }: FastDecodingRequest,
  create: DecoderFactory,
): Decoding | undefined {
  const provider = getCapability('fastDecoder');
  if (!provider || adapters) return undefined;
  const padded = leftPad(prompts, padTokenId);
  const maxLength = padded.width + Math.max(...budgets.map((row) => row.budget));
  const decoder = create(provider, { maxRows: padded.rows, maxLength });
  if (!decoder) return undefined;
  let logits: Float32Array;
  try {
    logits = decoder.forward({
      tokens: padded.ids,
      positions: positionsFromMask(padded.mask, padded.rows, padded.width),
      mask: padded.mask,
      rows: padded.rows,
      length: padded.width,
    });
  } catch (error) {
    decoder.dispose();
    throw error;
  }
  return fastDecoding(decoder, logits);
}

function fastDecoding(decoder: FastDecoder, first: Float32Array): Decoding {
  let logits = first;
  return {
    logits: async () => logits,
    feed: (rows, keep) => {
      logits = decoder.forward({
        tokens: Int32Array.from(rows, (row) => row.result.tokenIds.at(-1)!),
        positions: Int32Array.from(rows, (row) => row.nextPosition),
        mask: new Int32Array(rows.length).fill(1),
        rows: rows.length,
        length: 1,
        ...(keep ? { keep: Int32Array.from(keep) } : {}),
      });
    },
    dispose: () => decoder.dispose(),
  };
}

/** A host copy of a tensor (downloaded from the backend once per generate call). */
const host = (t: tf.Tensor) => t.dataSync() as Float32Array;

function decoderShape(model: Gpt2LMHeadModel): PreNormDecoderShape {
  const { config } = model;
  return {
    layers: config.n_layer,
    width: config.n_embd,
    heads: config.n_head,
    vocabSize: config.vocab_size,
    maxPositions: config.n_positions,
    innerWidth: model.weights.blocks[0]?.fc.weight.shape[1] ?? 4 * config.n_embd,
    layerNormEpsilon: config.layer_norm_epsilon,
    activation: 'gelu_new',
  };
}

function decoderWeights(model: Gpt2LMHeadModel): PreNormDecoderWeights {
  const norm = (ln: LayerNormWeights) => [host(ln.weight), host(ln.bias)] as const;
  const dense = (layer: LinearWeights) => [host(layer.weight), host(layer.bias)] as const;
  const { weights } = model;
  return {
    tokenEmbedding: host(weights.wte),
    positionEmbedding: host(weights.wpe),
    layers: weights.blocks.map((block) => {
      const [ln1Weight, ln1Bias] = norm(block.ln1);
      const [qkvWeight, qkvBias] = dense(block.cAttn);
      const [outWeight, outBias] = dense(block.attnProj);
      const [ln2Weight, ln2Bias] = norm(block.ln2);
      const [upWeight, upBias] = dense(block.fc);
      const [downWeight, downBias] = dense(block.mlpProj);
      return {
        ln1Weight,
        ln1Bias,
        qkvWeight,
        qkvBias,
        outWeight,
        outBias,
        ln2Weight,
        ln2Bias,
        upWeight,
        upBias,
        downWeight,
        downBias,
      };
    }),
    finalNormWeight: host(weights.lnF.weight),
    finalNormBias: host(weights.lnF.bias),
    ...(weights.lmHead ? { lmHead: host(weights.lmHead) } : {}),
  };
}

function rotaryShape(model: LlamaForCausalLM): RotaryDecoderShape {
  const { config } = model;
  return {
    layers: config.layers,
    hidden: config.hiddenSize,
    heads: config.heads,
    kvHeads: config.kvHeads,
    headDim: config.headDim,
    vocabSize: config.vocabSize,
    intermediate: config.intermediateSize,
    rmsNormEpsilon: config.rmsNormEps,
  };
}

function rotaryWeights(model: LlamaForCausalLM, inverseFrequencies: Float32Array): RotaryDecoderWeights {
  const linear = (projection: LlamaLinear): RotaryDecoderLinear => ({
    weight: host(projection.weight),
    ...(projection.bias ? { bias: host(projection.bias) } : {}),
  });
  const { weights } = model;
  return {
    tokenEmbedding: host(weights.embedTokens),
    layers: weights.layers.map((layer) => ({
      inputNorm: host(layer.inputNorm),
      q: linear(layer.q),
      k: linear(layer.k),
      v: linear(layer.v),
      o: linear(layer.o),
      ...(layer.qNorm ? { qNorm: host(layer.qNorm) } : {}),
      ...(layer.kNorm ? { kNorm: host(layer.kNorm) } : {}),
      postAttentionNorm: host(layer.postAttentionNorm),
      gate: linear(layer.gate),
      up: linear(layer.up),
      down: linear(layer.down),
    })),
    finalNorm: host(weights.norm),
    ...(weights.lmHead ? { lmHead: host(weights.lmHead) } : {}),
    inverseFrequencies,
  };
}
