import { readSafetensors, TrlError, tf } from '@trl/core';
import { type Gpt2Config, parseGpt2Config } from '../gpt2/config';
import { buildWeights, expectedShapes, type Gpt2Weights } from '../gpt2/weights';
import { resolveModelFile } from '../hub/index';
import { assertPathOrRepoIdGiven } from '../hub/repo-id';
import { floatValues } from './float-values';
import { readJsonFile } from './json-file';

/** Where to find a checkpoint: a local directory or a hub repo id. */
export interface PretrainedOptions {
  /** Branch, tag or commit on the hub. Default `main`. */
  revision?: string;
  /** Hub cache root (huggingface_hub's layout). */
  cacheDir?: string;
  /** Hub base URL. */
  endpoint?: string;
  /** Access token for private or gated repos. */
  token?: string;
}

/** A tensor read from `model.safetensors`, as float32. */
export interface CheckpointTensor {
  /** Shape. */
  readonly shape: number[];
  /** Values, row-major. */
  readonly values: Float32Array;
}

/** A loaded GPT-2 checkpoint. */
export interface LoadedCheckpoint {
  /** The validated config. */
  readonly config: Gpt2Config;
  /** Base-model weights as variables (the caller owns them). */
  readonly weights: Gpt2Weights;
  /** Tensors that belong to no GPT-2 weight (heads such as `v_head.*`, `score.*`), by key. */
  readonly extra: ReadonlyMap<string, CheckpointTensor>;
  /** Where the files came from, for error messages. */
  readonly source: string;
}

/**
 * Reads `config.json` and `model.safetensors` from a directory or hub repo and builds the GPT-2
 * weights. Both key layouts load (`transformer.h.0…` and the original `h.0…`); the causal-mask
 * buffers (`attn.bias`, `attn.masked_bias`) are ignored; a tied LM head comes from the embedding.
 */
export async function loadGpt2Checkpoint(
  pathOrRepoId: string,
  options: PretrainedOptions = {},
): Promise<LoadedCheckpoint> {
  assertPathOrRepoIdGiven(pathOrRepoId);
  const configPath = await resolveModelFile(pathOrRepoId, 'config.json', { ...options, required: true });
  const config = parseGpt2Config(await readJsonFile(configPath), `config.json (${configPath})`);
  const weightsPath = await requireModelSafetensors(
    pathOrRepoId,
    options,
    'pytorch_model.bin or sharded checkpoints',
  );
  const file = await readSafetensors(weightsPath);
  const shapes = expectedShapes(config);
  const byKey = new Map<string, CheckpointTensor>();
  for (const [rawKey, tensor] of file.tensors) {
    const key = canonicalKey(rawKey);
    if (key === undefined) continue;
    // Tensors no weight or head reads (buffers of other code) are skipped, unchecked.
    if (!shapes.has(key) && !HEAD_KEY.test(key)) continue;
    byKey.set(key, { shape: [...tensor.shape], values: floatValues(tensor, rawKey, weightsPath) });
  }
  const weights = weightsFromTensors(config, byKey, weightsPath);
  const extra = new Map([...byKey].filter(([key]) => !isBaseKey(key)));
  return { config, weights, extra, source: weightsPath };
}

/**
 * Builds variables from checkpoint tensors, checking that every key the config needs is present
 * with the shape the config implies.
 */
export function weightsFromTensors(
  config: Gpt2Config,
  tensors: ReadonlyMap<string, CheckpointTensor>,
  source: string,
): Gpt2Weights {
  checkCheckpointShapes(expectedShapes(config), tensors, source, {
    architecture: 'GPT-2',
    weightsName: 'model.safetensors',
  });
  return buildWeights(config, (key, shape) => tf.tensor(tensors.get(key)!.values, shape, 'float32'));
}

/**
 * Checks that every key `shapes` lists is among `tensors` with that shape, naming the missing keys
 * (the first five) or the key whose shape differs, with both shapes.
 */
export function checkCheckpointShapes(
  shapes: ReadonlyMap<string, number[]>,
  tensors: ReadonlyMap<string, CheckpointTensor>,
  source: string,
  names: { architecture: string; weightsName: string },
): void {
  const missing = [...shapes.keys()].filter((key) => !tensors.has(key));
  if (missing.length > 0) {
    const shown =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new TrlError(
      'invalid-checkpoint',
      `${source} lacks weights the config needs: ${shown}. Is it a ${names.architecture} checkpoint for this config.json?`,
    );
  }
  for (const [key, expected] of shapes) {
    const actual = tensors.get(key)!.shape;
    if (actual.length !== expected.length || actual.some((n, i) => n !== expected[i])) {
      throw new TrlError(
        'invalid-checkpoint',
        `${source}: ${key} has shape [${actual.join(', ')}] but config.json implies [${expected.join(', ')}]. ` +
          `config.json and ${names.weightsName} disagree.`,
      );
    }
  }
}

/**
 * Maps a checkpoint key to the `transformer.`-prefixed layout, or undefined for buffers that carry
 * no weights. Head keys (`lm_head.`, `v_head.`, `score.`) pass unchanged.
 */
export function canonicalKey(rawKey: string): string | undefined {
  if (/(^|\.)attn\.(bias|masked_bias)$/.test(rawKey)) return undefined;
  if (/^(transformer|lm_head|v_head|score)\./.test(rawKey)) return rawKey;
  return `transformer.${rawKey}`;
}

function isBaseKey(key: string): boolean {
  return key.startsWith('transformer.') || key === 'lm_head.weight';
}

/** Keys of the heads this package reads besides the GPT-2 weights. */
const HEAD_KEY = /^(lm_head|v_head|score)\./;

/**
 * The single-file `model.safetensors` of a checkpoint, or a `file-not-found` TrlError telling how to
 * convert what it holds instead (`convertible`, e.g. `pytorch_model.bin`).
 */
export async function requireModelSafetensors(
  pathOrRepoId: string,
  options: PretrainedOptions,
  convertible: string,
): Promise<string> {
  const weightsPath = await resolveModelFile(pathOrRepoId, 'model.safetensors', {
    ...options,
    required: false,
  });
  if (weightsPath === undefined) {
    throw new TrlError(
      'file-not-found',
      `No model.safetensors in "${pathOrRepoId}". Only single-file safetensors checkpoints load; convert ` +
        `${convertible} with transformers: model.save_pretrained(dir, safe_serialization=True).`,
    );
  }
  return weightsPath;
}
