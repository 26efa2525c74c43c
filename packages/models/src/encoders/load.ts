import { Rng, readSafetensors, TrlError, tf } from '@trl/core';
import { floatValues } from '../checkpoint/float-values';
import { type CheckpointTensor, type PretrainedOptions, requireModelSafetensors } from '../checkpoint/load';
import type { EncoderArchitecture } from './architecture';
import { EncoderForSequenceClassification } from './classifier';
import type { EncoderConfig } from './config';
import { freshEncoderWeight } from './create';

/** Options of {@link loadEncoderClassifier}. */
export interface EncoderClassifierOptions extends PretrainedOptions {
  /** Number of scores; default the config's `num_labels` or `id2label` size, else 2 (transformers' default). */
  numLabels?: number;
  /**
   * Start head weights whose saved shape does not fit `numLabels` afresh instead of refusing them
   * (transformers' `ignore_mismatched_sizes`), e.g. a two-label sentiment classifier turned into a
   * one-label reward model. The encoder's own weights must always fit. Default false.
   */
  ignoreMismatchedSizes?: boolean;
  /** Seed of a freshly initialised head and of dropout masks. Default 0. */
  seed?: number;
}

/**
 * Loads an encoder classifier saved by transformers: `config` is the parsed config.json of
 * `pathOrRepoId`, `model.safetensors` holds the weights. A checkpoint of the bare encoder (no head,
 * keys with or without the `bert.` prefix) gets a new head, normal(0, initializer_range) with zero
 * biases, as transformers initialises one.
 */
export async function loadEncoderClassifier(
  architecture: EncoderArchitecture,
  pathOrRepoId: string,
  rawConfig: Readonly<Record<string, unknown>>,
  options: EncoderClassifierOptions = {},
): Promise<EncoderForSequenceClassification> {
  const config = architecture.parseConfig(rawConfig, `${pathOrRepoId}: config.json`);
  const weightsPath = await requireModelSafetensors(pathOrRepoId, options, 'pytorch_model.bin');
  const numLabels = resolveNumLabels(config, options.numLabels);
  const baseShapes = architecture.baseShapes(config);
  const headShapes = architecture.headShapes(config, numLabels);
  const known = new Set([...baseShapes.keys(), ...headShapes.keys()]);
  const tensors = new Map<string, CheckpointTensor>();
  for (const [rawKey, entry] of (await readSafetensors(weightsPath)).tensors) {
    const key = canonicalEncoderKey(rawKey, architecture.basePrefix, known);
    // Weights of other heads (an MLM head, say) are not read.
    if (known.has(key))
      tensors.set(key, { shape: [...entry.shape], values: floatValues(entry, rawKey, weightsPath) });
  }
  checkShapes(baseShapes, tensors, weightsPath, 'the encoder');
  const resized = options.ignoreMismatchedSizes ? mismatchedKeys(headShapes, tensors) : new Set<string>();
  for (const key of resized) tensors.delete(key);
  checkShapes(headShapes, tensors, weightsPath, `a head with ${numLabels} labels`, { allowMissing: true });
  const rng = new Rng(options.seed ?? 0);
  const weights = new Map<string, tf.Variable>();
  try {
    for (const [key, shape] of baseShapes) weights.set(key, variableOf(tensors.get(key)!, shape));
    // Head weights the checkpoint lacks (a bare encoder, BertForMaskedLM's missing pooler) start
    // fresh, as transformers initialises them.
    for (const [key, shape] of headShapes) {
      const saved = tensors.get(key);
      weights.set(
        key,
        saved
          ? variableOf(saved, shape)
          : tf.tidy(() =>
              tf.variable(freshEncoderWeight(key, shape, config.initializerRange, config.padTokenId, rng)),
            ),
      );
    }
  } catch (error) {
    for (const variable of weights.values()) variable.dispose();
    throw error;
  }
  return new EncoderForSequenceClassification({
    architecture,
    config,
    weights,
    numLabels,
    id2label: config.id2label,
    seed: rng.nextSeed(),
  });
}

/**
 * The key as this package names it: old checkpoints' LayerNorm `gamma`/`beta` become
 * `weight`/`bias`, and a bare encoder's keys get the classifier's backbone prefix.
 */
function canonicalEncoderKey(rawKey: string, prefix: string, known: ReadonlySet<string>): string {
  const key = rawKey.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  return !key.startsWith(prefix) && known.has(`${prefix}${key}`) ? `${prefix}${key}` : key;
}

/**
 * `numLabels` from the options, else the config's `num_labels` or `id2label` size, else 2:
 * transformers' default, which it leaves out of config.json (a saved two-label model has no id2label).
 */
function resolveNumLabels(config: EncoderConfig, requested: number | undefined): number {
  if (requested === undefined)
    return config.numLabels ?? config.id2label?.length ?? TRANSFORMERS_DEFAULT_NUM_LABELS;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new TrlError('invalid-value', `numLabels must be an integer ≥ 1, got ${requested}.`);
  }
  return requested;
}

const TRANSFORMERS_DEFAULT_NUM_LABELS = 2;

function checkShapes(
  shapes: ReadonlyMap<string, number[]>,
  tensors: ReadonlyMap<string, CheckpointTensor>,
  source: string,
  what: string,
  { allowMissing = false } = {},
): void {
  const missing = [...shapes.keys()].filter((key) => !tensors.has(key));
  if (!allowMissing && missing.length > 0) {
    const shown =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new TrlError('invalid-checkpoint', `${source} lacks weights of ${what}: ${shown}.`);
  }
  for (const [key, expected] of shapes) {
    const actual = tensors.get(key)?.shape;
    if (actual && (actual.length !== expected.length || actual.some((n, i) => n !== expected[i]))) {
      throw new TrlError(
        'invalid-checkpoint',
        `${source}: ${key} has shape [${actual.join(', ')}] but ${what} needs [${expected.join(', ')}] ` +
          '(config.json, numLabels / id2label and model.safetensors disagree).',
      );
    }
  }
}

/** Keys whose saved tensor has another shape than `shapes` wants. */
function mismatchedKeys(
  shapes: ReadonlyMap<string, number[]>,
  tensors: ReadonlyMap<string, CheckpointTensor>,
): Set<string> {
  const sameShape = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((n, i) => n === b[i]);
  return new Set(
    [...shapes]
      .filter(([key, shape]) => tensors.has(key) && !sameShape(tensors.get(key)!.shape, shape))
      .map(([key]) => key),
  );
}

function variableOf(tensor: CheckpointTensor, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(tensor.values, shape, 'float32')));
}
