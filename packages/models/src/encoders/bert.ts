import { embedding, tf } from '@trl/core';
import { addLayers, addLinear, addNorm, type EmbeddingInput, type EncoderArchitecture } from './architecture';
import { ConfigReader, type EncoderConfig } from './config';
import { dropout, type EncoderLayerKeys, firstToken, norm, type PassContext, twoLayerHead } from './layers';

/** BertConfig's defaults (bert-base) for the fields the encoder reads. */
const BERT_DEFAULTS = {
  vocabSize: 30522,
  maxPositions: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  padTokenId: 0,
} as const;

/**
 * Reads a BERT-family config (BERT and RoBERTa share BertConfig's field names); `defaults` are the
 * architecture's own where they differ.
 */
export function parseBertStyleConfig(
  raw: Readonly<Record<string, unknown>>,
  source: string,
  defaults: typeof BERT_DEFAULTS | Record<keyof typeof BERT_DEFAULTS, number>,
): EncoderConfig {
  const read = new ConfigReader(raw);
  const hiddenSize = read.integer('hidden_size', 768);
  const numHeads = read.integer('num_attention_heads', 12);
  read.divides('num_attention_heads', numHeads, 'hidden_size', hiddenSize);
  const hiddenDropout = read.number('hidden_dropout_prob', 0.1, 0, 1);
  const classifierDropout =
    raw['classifier_dropout'] == null ? hiddenDropout : read.number('classifier_dropout', 0.1, 0, 1);
  const config: EncoderConfig = {
    modelType: String(raw['model_type']),
    vocabSize: read.integer('vocab_size', defaults.vocabSize),
    hiddenSize,
    numLayers: read.integer('num_hidden_layers', 12),
    numHeads,
    intermediateSize: read.integer('intermediate_size', 3072),
    maxPositions: read.integer('max_position_embeddings', defaults.maxPositions),
    typeVocabSize: read.integer('type_vocab_size', defaults.typeVocabSize),
    layerNormEps: read.number('layer_norm_eps', defaults.layerNormEps, 0, 1, true),
    activation: read.activation('hidden_act', 'gelu'),
    padTokenId: read.optionalId('pad_token_id', defaults.padTokenId),
    hiddenDropout,
    attentionDropout: read.number('attention_probs_dropout_prob', 0.1, 0, 1),
    classifierDropout,
    initializerRange: read.number('initializer_range', 0.02, 0, 10, true),
    ...read.labels(),
    raw,
  };
  read.finish(source);
  return config;
}

/** Module paths of a BERT-style layer under `prefix` (`bert.` or `roberta.`). */
export function bertStyleLayerKeys(prefix: string, index: number): EncoderLayerKeys {
  const layer = `${prefix}encoder.layer.${index}`;
  return {
    query: `${layer}.attention.self.query`,
    key: `${layer}.attention.self.key`,
    value: `${layer}.attention.self.value`,
    attentionOutput: `${layer}.attention.output.dense`,
    attentionNorm: `${layer}.attention.output.LayerNorm`,
    intermediate: `${layer}.intermediate.dense`,
    output: `${layer}.output.dense`,
    outputNorm: `${layer}.output.LayerNorm`,
  };
}

/** Shapes of a BERT-style backbone's embeddings and layers (no pooler). */
export function bertStyleBaseShapes(
  architecture: EncoderArchitecture,
  config: EncoderConfig,
): Map<string, number[]> {
  const prefix = architecture.basePrefix;
  const d = config.hiddenSize;
  const shapes = new Map<string, number[]>([
    [`${prefix}embeddings.word_embeddings.weight`, [config.vocabSize, d]],
    [`${prefix}embeddings.position_embeddings.weight`, [config.maxPositions, d]],
    [`${prefix}embeddings.token_type_embeddings.weight`, [config.typeVocabSize, d]],
  ]);
  addNorm(shapes, `${prefix}embeddings.LayerNorm`, d);
  addLayers(shapes, architecture, config);
  return shapes;
}

/**
 * Word + position + token type embeddings, LayerNorm and dropout. Token types default to 0;
 * `positionIds` is required here (each architecture computes its own default).
 */
export function bertStyleEmbeddings(
  context: PassContext,
  prefix: string,
  input: EmbeddingInput & { positionIds: tf.Tensor2D },
): tf.Tensor3D {
  const table = (name: string) => context.weights.get(`${prefix}embeddings.${name}.weight`) as tf.Tensor2D;
  const types = input.tokenTypeIds ?? tf.zerosLike(input.inputIds);
  const summed = tf.addN([
    embedding(input.inputIds, table('word_embeddings')),
    embedding(types, table('token_type_embeddings')),
    embedding(input.positionIds, table('position_embeddings')),
  ]);
  const normalised = norm(context, `${prefix}embeddings.LayerNorm`, summed);
  return dropout(context, normalised, context.config.hiddenDropout) as tf.Tensor3D;
}

/** Positions 0..seq-1 for every row, as BERT and DistilBERT number them (padding included). */
export function absolutePositions(inputIds: tf.Tensor2D): tf.Tensor2D {
  const [batch, seq] = inputIds.shape;
  return tf.tile(tf.reshape(tf.range(0, seq, 1, 'int32'), [1, seq]), [batch, 1]) as tf.Tensor2D;
}

/**
 * transformers' `BertForSequenceClassification`: the pooler (dense + tanh on `[CLS]`), dropout and a
 * linear classifier.
 */
export const BERT: EncoderArchitecture = {
  modelType: 'bert',
  className: 'BertForSequenceClassification',
  basePrefix: 'bert.',
  parseConfig: (raw, source) => parseBertStyleConfig(raw, source, BERT_DEFAULTS),
  baseShapes(config) {
    return bertStyleBaseShapes(this, config);
  },
  headShapes(config, numLabels) {
    // The pooler counts as head: BertForMaskedLM checkpoints have none, and transformers starts it fresh.
    const shapes = new Map<string, number[]>();
    addLinear(shapes, 'bert.pooler.dense', config.hiddenSize, config.hiddenSize);
    addLinear(shapes, 'classifier', numLabels, config.hiddenSize);
    return shapes;
  },
  layerKeys: (index) => bertStyleLayerKeys('bert.', index),
  embed: (context, input) =>
    bertStyleEmbeddings(context, 'bert.', {
      ...input,
      positionIds: input.positionIds ?? absolutePositions(input.inputIds),
    }),
  classify: (context, hidden) =>
    twoLayerHead(context, firstToken(hidden), 'bert.pooler.dense', tf.tanh, 'classifier'),
};
