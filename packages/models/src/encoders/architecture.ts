import type { tf } from '@trl/core';
import type { EncoderConfig } from './config';
import type { EncoderLayerKeys, PassContext } from './layers';

/** Int32 `[batch, seq]` inputs of an encoder's embeddings. */
export interface EmbeddingInput {
  /** Token ids. */
  readonly inputIds: tf.Tensor2D;
  /** Segment ids (architectures with token type embeddings only). */
  readonly tokenTypeIds?: tf.Tensor2D;
  /** Explicit position ids; default the architecture's own (BERT counts from 0, RoBERTa from the pad id + 1). */
  readonly positionIds?: tf.Tensor2D;
}

/**
 * What distinguishes one encoder classifier from another: its config names, checkpoint keys,
 * embeddings and classification head. The layers in between are shared ({@link encoderLayer}).
 */
export interface EncoderArchitecture {
  /** `model_type` in config.json. */
  readonly modelType: string;
  /** transformers' class, written to `architectures` on save. */
  readonly className: string;
  /** Prefix of the backbone's keys in a classifier checkpoint (`bert.`); a bare base model omits it. */
  readonly basePrefix: string;
  /** Validates the raw config; throws a TrlConfigError naming each bad field. */
  parseConfig(raw: Readonly<Record<string, unknown>>, source: string): EncoderConfig;
  /** Shape of every backbone weight, by checkpoint key. */
  baseShapes(config: EncoderConfig): Map<string, number[]>;
  /** Shape of every head weight for `numLabels` outputs, by checkpoint key; missing ones start fresh. */
  headShapes(config: EncoderConfig, numLabels: number): Map<string, number[]>;
  /** Module paths of layer `index`. */
  layerKeys(index: number): EncoderLayerKeys;
  /** Token, position (and token type) embeddings, normalised, with dropout in training. */
  embed(context: PassContext, input: EmbeddingInput): tf.Tensor3D;
  /** Logits `[batch, numLabels]` from the last hidden state `[batch, seq, hidden]`. */
  classify(context: PassContext, hidden: tf.Tensor3D): tf.Tensor2D;
}

/** Adds the `weight [out, in]` and `bias [out]` of a torch nn.Linear to `shapes`. */
export function addLinear(
  shapes: Map<string, number[]>,
  module: string,
  outputs: number,
  inputs: number,
): void {
  shapes.set(`${module}.weight`, [outputs, inputs]);
  shapes.set(`${module}.bias`, [outputs]);
}

/** Adds a LayerNorm's `weight` and `bias` of width `width` to `shapes`. */
export function addNorm(shapes: Map<string, number[]>, module: string, width: number): void {
  shapes.set(`${module}.weight`, [width]);
  shapes.set(`${module}.bias`, [width]);
}

/** Adds the shapes of every layer of `architecture` to `shapes`. */
export function addLayers(
  shapes: Map<string, number[]>,
  architecture: EncoderArchitecture,
  config: EncoderConfig,
): void {
  const { hiddenSize: d, intermediateSize: inner } = config;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const keys = architecture.layerKeys(layer);
    for (const module of [keys.query, keys.key, keys.value, keys.attentionOutput])
      addLinear(shapes, module, d, d);
    addNorm(shapes, keys.attentionNorm, d);
    addLinear(shapes, keys.intermediate, inner, d);
    addLinear(shapes, keys.output, d, inner);
    addNorm(shapes, keys.outputNorm, d);
  }
}
