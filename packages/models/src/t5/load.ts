import { Rng, readSafetensors, TrlError, tf } from '@trl/core';
import { floatValues } from '../checkpoint/float-values';
import { type CheckpointTensor, type PretrainedOptions, requireModelSafetensors } from '../checkpoint/load';
import { parseT5Config, type T5Config } from './config';
import { T5ForConditionalGeneration } from './model';
import { LM_HEAD_KEY, t5Shapes } from './weights';

/** Options of {@link loadT5} and {@link createT5}. */
export interface T5Options extends PretrainedOptions {
  /** Seed of dropout masks (and of the weights of {@link createT5}). Default 0. */
  seed?: number;
}

/** A loaded T5 and the checkpoint tensors it did not use (a TRL value head, say). */
export interface LoadedT5 {
  readonly model: T5ForConditionalGeneration;
  readonly extra: ReadonlyMap<string, CheckpointTensor>;
}

/**
 * Loads a T5ForConditionalGeneration saved by transformers (`model.safetensors` in
 * `pathOrRepoId`). The head is the checkpoint's `lm_head.weight` when present (T5 v1.1, FLAN),
 * else the shared embedding. Duplicated embeddings (`encoder.embed_tokens.weight`) are ignored.
 */
export async function loadT5(
  pathOrRepoId: string,
  rawConfig: Readonly<Record<string, unknown>>,
  options: T5Options = {},
): Promise<LoadedT5> {
  const config = parseT5Config(rawConfig, `${pathOrRepoId}: config.json`);
  const path = await requireModelSafetensors(pathOrRepoId, options, 'pytorch_model.bin');
  const file = await readSafetensors(path);
  const ownHead = file.tensors.has(LM_HEAD_KEY);
  if (!ownHead && !config.tieWordEmbeddings) {
    throw new TrlError(
      'invalid-checkpoint',
      `${path} has no lm_head.weight but config.json sets tie_word_embeddings: false; the head is missing.`,
    );
  }
  const shapes = t5Shapes(config, ownHead);
  const extra = new Map<string, CheckpointTensor>();
  const found = new Map<string, CheckpointTensor>();
  for (const [key, entry] of file.tensors) {
    const tensor = { shape: [...entry.shape], values: floatValues(entry, key, path) };
    if (shapes.has(key)) found.set(key, tensor);
    else if (!/^(encoder|decoder)\.embed_tokens\.weight$/.test(key)) extra.set(key, tensor);
  }
  const missing = [...shapes.keys()].filter((key) => !found.has(key));
  if (missing.length > 0) {
    const shown =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new TrlError(
      'invalid-checkpoint',
      `${path} lacks T5 weights the config asks for (feed_forward_proj "${String(rawConfig['feed_forward_proj'] ?? 'relu')}", ` +
        `${config.numLayers}+${config.numDecoderLayers} layers): ${shown}.`,
    );
  }
  for (const [key, shape] of shapes) {
    const actual = found.get(key)!.shape;
    if (actual.length !== shape.length || actual.some((n, i) => n !== shape[i])) {
      throw new TrlError(
        'invalid-checkpoint',
        `${path}: ${key} has shape [${actual.join(', ')}] but config.json needs [${shape.join(', ')}].`,
      );
    }
  }
  const weights = new Map<string, tf.Variable>();
  for (const [key, shape] of shapes) {
    weights.set(
      key,
      tf.tidy(() => tf.variable(tf.tensor(found.get(key)!.values, shape, 'float32'))),
    );
  }
  return { model: new T5ForConditionalGeneration(config, weights, options.seed ?? 0), extra };
}

/**
 * A randomly initialised T5 of `rawConfig` (a config.json object), drawn as transformers'
 * `_init_weights` does: embeddings and a separate head N(0, factor), attention q/k/v/o and
 * feed-forward weights N(0, factor / sqrt(fan-in)), layer norms 1. Seeded.
 */
export function createT5(
  rawConfig: Readonly<Record<string, unknown>>,
  options: Pick<T5Options, 'seed'> = {},
): T5ForConditionalGeneration {
  const config = parseT5Config(rawConfig, 'config');
  const rng = new Rng(options.seed ?? 0);
  const weights = new Map<string, tf.Variable>();
  for (const [key, shape] of t5Shapes(config, !config.tieWordEmbeddings)) {
    const std = initStd(key, config);
    weights.set(
      key,
      tf.tidy(() =>
        tf.variable(std === 0 ? tf.ones(shape) : tf.randomNormal(shape, 0, std, 'float32', rng.nextSeed())),
      ),
    );
  }
  return new T5ForConditionalGeneration(config, weights, rng.nextSeed());
}

/** transformers' init standard deviation for `key` (0 marks a layer norm, set to 1). */
function initStd(key: string, config: T5Config): number {
  const { initializerFactor: factor, dModel, dKv, numHeads, dFf } = config;
  if (key.endsWith('layer_norm.weight')) return 0;
  if (key === 'shared.weight' || key === LM_HEAD_KEY) return factor;
  if (key.endsWith('.q.weight')) return factor * (dModel * dKv) ** -0.5;
  if (key.endsWith('.o.weight')) return factor * (numHeads * dKv) ** -0.5;
  if (key.endsWith('.wo.weight')) return factor * dFf ** -0.5;
  // k, v, wi / wi_0 / wi_1 and the relative attention bias.
  return factor * dModel ** -0.5;
}
