import { embedding, TrlError, tf } from '@trl/core';
import { addLayers, addLinear, addNorm, type EncoderArchitecture } from './architecture';
import { absolutePositions } from './bert';
import { ConfigReader, type EncoderConfig } from './config';
import { dropout, type EncoderLayerKeys, firstToken, norm, twoLayerHead } from './layers';

/** DistilBERT's LayerNorms use a fixed epsilon, not a config field. */
const DISTILBERT_LAYER_NORM_EPS = 1e-12;

/** Reads DistilBertConfig's field names (`dim`, `n_layers`, ...) with its defaults. */
function parseDistilBertConfig(raw: Readonly<Record<string, unknown>>, source: string): EncoderConfig {
  const read = new ConfigReader(raw);
  const hiddenSize = read.integer('dim', 768);
  const numHeads = read.integer('n_heads', 12);
  read.divides('n_heads', numHeads, 'dim', hiddenSize);
  const config: EncoderConfig = {
    modelType: 'distilbert',
    vocabSize: read.integer('vocab_size', 30522),
    hiddenSize,
    numLayers: read.integer('n_layers', 6),
    numHeads,
    intermediateSize: read.integer('hidden_dim', 3072),
    maxPositions: read.integer('max_position_embeddings', 512),
    typeVocabSize: 0,
    layerNormEps: DISTILBERT_LAYER_NORM_EPS,
    activation: read.activation('activation', 'gelu'),
    padTokenId: read.optionalId('pad_token_id', 0),
    hiddenDropout: read.number('dropout', 0.1, 0, 1),
    attentionDropout: read.number('attention_dropout', 0.1, 0, 1),
    classifierDropout: read.number('seq_classif_dropout', 0.2, 0, 1),
    initializerRange: read.number('initializer_range', 0.02, 0, 10, true),
    ...read.labels(),
    raw,
  };
  read.finish(source);
  return config;
}

function distilBertLayerKeys(index: number): EncoderLayerKeys {
  const layer = `distilbert.transformer.layer.${index}`;
  return {
    query: `${layer}.attention.q_lin`,
    key: `${layer}.attention.k_lin`,
    value: `${layer}.attention.v_lin`,
    attentionOutput: `${layer}.attention.out_lin`,
    attentionNorm: `${layer}.sa_layer_norm`,
    intermediate: `${layer}.ffn.lin1`,
    output: `${layer}.ffn.lin2`,
    outputNorm: `${layer}.output_layer_norm`,
  };
}

/**
 * transformers' `DistilBertForSequenceClassification`: word + position embeddings (no token
 * types), the shared layers, then `pre_classifier` + ReLU + dropout + `classifier` on `[CLS]`.
 */
export const DISTILBERT: EncoderArchitecture = {
  modelType: 'distilbert',
  className: 'DistilBertForSequenceClassification',
  basePrefix: 'distilbert.',
  parseConfig: parseDistilBertConfig,
  baseShapes(config) {
    const d = config.hiddenSize;
    const shapes = new Map<string, number[]>([
      ['distilbert.embeddings.word_embeddings.weight', [config.vocabSize, d]],
      ['distilbert.embeddings.position_embeddings.weight', [config.maxPositions, d]],
    ]);
    addNorm(shapes, 'distilbert.embeddings.LayerNorm', d);
    addLayers(shapes, this, config);
    return shapes;
  },
  headShapes(config, numLabels) {
    const shapes = new Map<string, number[]>();
    addLinear(shapes, 'pre_classifier', config.hiddenSize, config.hiddenSize);
    addLinear(shapes, 'classifier', numLabels, config.hiddenSize);
    return shapes;
  },
  layerKeys: distilBertLayerKeys,
  embed(context, input) {
    if (input.tokenTypeIds !== undefined) {
      throw new TrlError(
        'invalid-argument',
        'DistilBERT has no token type embeddings; call forward without tokenTypeIds.',
      );
    }
    const table = (name: string) =>
      context.weights.get(`distilbert.embeddings.${name}.weight`) as tf.Tensor2D;
    const positions = input.positionIds ?? absolutePositions(input.inputIds);
    const summed = tf.add(
      embedding(input.inputIds, table('word_embeddings')),
      embedding(positions, table('position_embeddings')),
    );
    const normalised = norm(context, 'distilbert.embeddings.LayerNorm', summed);
    return dropout(context, normalised, context.config.hiddenDropout) as tf.Tensor3D;
  },
  classify: (context, hidden) =>
    twoLayerHead(context, firstToken(hidden), 'pre_classifier', tf.relu, 'classifier'),
};
