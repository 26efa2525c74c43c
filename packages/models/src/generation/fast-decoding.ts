import {
  type FastDecoder,
  getCapability,
  type PreNormDecoderShape,
  type PreNormDecoderWeights,
  type tf,
} from '@trl/core';
import { positionsFromMask } from '../gpt2/input';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import type { LayerNormWeights, LinearWeights } from '../gpt2/weights';
import { type Decoding, leftPad } from './decoding';

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
  const provider = getCapability('fastDecoder');
  if (!provider || model.adapters) return undefined;
  const padded = leftPad(prompts, padTokenId);
  const maxLength = padded.width + Math.max(...budgets.map((row) => row.budget));
  const decoder = provider.create(decoderShape(model), decoderWeights(model), {
    maxRows: padded.rows,
    maxLength,
  });
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

/** Host copies of the weights (downloaded from the backend once per generate call). */
function decoderWeights(model: Gpt2LMHeadModel): PreNormDecoderWeights {
  const host = (t: tf.Tensor) => t.dataSync() as Float32Array;
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
