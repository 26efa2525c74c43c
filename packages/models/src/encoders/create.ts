import { Rng, tf } from '@trl/core';
import type { EncoderArchitecture } from './architecture';
import { EncoderForSequenceClassification } from './classifier';

/** Options of {@link createEncoderClassifier}. */
export interface CreateEncoderClassifierOptions {
  /** Number of scores; default the config's `num_labels` or `id2label` size, else 2 (transformers' default). */
  numLabels?: number;
  /** Seed of the weight init and of dropout masks. Default 0. */
  seed?: number;
}

/**
 * A randomly initialised encoder classifier of `rawConfig`, as transformers' `from_config` builds
 * one: linear and embedding weights from N(0, initializer_range) (the padding token's embedding row
 * zero), biases zero, LayerNorm gains one. Seeded, so every run and backend starts from the same weights.
 */
export function createEncoderClassifier(
  architecture: EncoderArchitecture,
  rawConfig: Readonly<Record<string, unknown>>,
  options: CreateEncoderClassifierOptions = {},
): EncoderForSequenceClassification {
  const config = architecture.parseConfig(rawConfig, 'config');
  const numLabels = options.numLabels ?? config.numLabels ?? config.id2label?.length ?? 2;
  const rng = new Rng(options.seed ?? 0);
  const shapes = [...architecture.baseShapes(config), ...architecture.headShapes(config, numLabels)];
  const weights = new Map<string, tf.Variable>();
  for (const [key, shape] of shapes) {
    weights.set(
      key,
      tf.tidy(() =>
        tf.variable(freshEncoderWeight(key, shape, config.initializerRange, config.padTokenId, rng)),
      ),
    );
  }
  return new EncoderForSequenceClassification({
    architecture,
    config,
    weights,
    numLabels,
    ...(config.id2label ? { id2label: config.id2label } : {}),
    seed: rng.nextSeed(),
  });
}

/** A freshly initialised encoder weight, as transformers' `_init_weights` draws it (biases 0, norms 1, pad embedding row 0). */
export function freshEncoderWeight(
  key: string,
  shape: number[],
  std: number,
  padTokenId: number | undefined,
  rng: Rng,
): tf.Tensor {
  const isNorm = /LayerNorm|layer_norm/.test(key);
  if (key.endsWith('.bias')) return tf.zeros(shape);
  if (isNorm) return tf.ones(shape);
  const drawn = tf.randomNormal(shape, 0, std, 'float32', rng.nextSeed());
  if (!key.endsWith('word_embeddings.weight') || padTokenId === undefined || padTokenId >= shape[0]!)
    return drawn;
  const keep = tf.oneHot([padTokenId], shape[0]!).reshape([shape[0]!, 1]);
  return tf.mul(drawn, tf.sub(1, keep));
}
