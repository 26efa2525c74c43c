import { tf } from '@trl/core';
import { addLinear, type EncoderArchitecture } from './architecture';
import { bertStyleBaseShapes, bertStyleEmbeddings, bertStyleLayerKeys, parseBertStyleConfig } from './bert';
import { dropout, firstToken, type PassContext, twoLayerHead } from './layers';

/** RobertaConfig's defaults where they differ from BERT's (roberta-base). */
const ROBERTA_DEFAULTS = {
  vocabSize: 50265,
  maxPositions: 514,
  typeVocabSize: 1,
  layerNormEps: 1e-5,
  padTokenId: 1,
} as const;

/**
 * RoBERTa's position ids, made from the input ids as fairseq does: padding tokens sit at
 * `padding_idx`, real tokens count on from `padding_idx + 1` (so a left-padded row starts there too).
 */
export function robertaPositions(inputIds: tf.Tensor2D, paddingIdx: number): tf.Tensor2D {
  return tf.tidy(() => {
    const real = tf.cast(tf.notEqual(inputIds, paddingIdx), 'int32');
    // Cast back, and an int32 scalar: a bare number would promote the sum to float32.
    const counted = tf.cast(tf.cumsum(real, 1), 'int32');
    return tf.add(tf.mul(counted, real), tf.scalar(paddingIdx, 'int32')) as tf.Tensor2D;
  });
}

/** The head of `RobertaForSequenceClassification`: on `<s>`, dropout, dense + tanh, dropout, `out_proj`. */
function robertaHead(context: PassContext, hidden: tf.Tensor3D): tf.Tensor2D {
  const features = dropout(context, firstToken(hidden), context.config.classifierDropout);
  return twoLayerHead(context, features, 'classifier.dense', tf.tanh, 'classifier.out_proj');
}

/** transformers' `RobertaForSequenceClassification` (no pooler; its own two-layer head). */
export const ROBERTA: EncoderArchitecture = {
  modelType: 'roberta',
  className: 'RobertaForSequenceClassification',
  basePrefix: 'roberta.',
  parseConfig: (raw, source) => parseBertStyleConfig(raw, source, ROBERTA_DEFAULTS),
  baseShapes(config) {
    return bertStyleBaseShapes(this, config);
  },
  headShapes(config, numLabels) {
    const shapes = new Map<string, number[]>();
    addLinear(shapes, 'classifier.dense', config.hiddenSize, config.hiddenSize);
    addLinear(shapes, 'classifier.out_proj', numLabels, config.hiddenSize);
    return shapes;
  },
  layerKeys: (index) => bertStyleLayerKeys('roberta.', index),
  embed(context, input) {
    const paddingIdx = context.config.padTokenId ?? ROBERTA_DEFAULTS.padTokenId;
    return bertStyleEmbeddings(context, 'roberta.', {
      ...input,
      positionIds: input.positionIds ?? robertaPositions(input.inputIds, paddingIdx),
    });
  },
  classify: robertaHead,
};
