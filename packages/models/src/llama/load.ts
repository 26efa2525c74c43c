import { readSafetensors, TrlError, tf } from '@trl/core';
import { floatValues } from '../checkpoint/float-values';
import { readJsonFile } from '../checkpoint/json-file';
import { type CheckpointTensor, checkCheckpointShapes, type PretrainedOptions } from '../checkpoint/load';
import { resolveModelFile } from '../hub/index';
import { type LlamaConfig, parseLlamaConfig } from './config';
import { buildLlamaWeights, type LlamaWeights, llamaCheckpointShapes } from './weights';

/** A loaded Llama-family checkpoint. */
export interface LoadedLlamaCheckpoint {
  /** The resolved config. */
  readonly config: LlamaConfig;
  /** Base-model weights as variables (the caller owns them). */
  readonly weights: LlamaWeights;
  /** Head tensors (`v_head.*`, `score.*`), by key. */
  readonly extra: ReadonlyMap<string, CheckpointTensor>;
  /** Keys in the files that no weight of this config reads (transformers calls them unexpected). */
  readonly unexpected: readonly string[];
}

/** Keys of the heads this package reads besides the base weights. */
const HEAD_KEY = /^(v_head|score)\./;

/** Buffers some checkpoints carry that hold no weights (RoPE tables are recomputed). */
const BUFFER_KEY = /(^|\.)rotary_emb\.inv_freq$/;

/**
 * Reads `config.json` and the safetensors weights (one `model.safetensors`, or the shards listed
 * in `model.safetensors.index.json`) of a Llama, Mistral, Qwen2 or Qwen3 checkpoint. F16/BF16
 * tensors are upcast to float32. A tied head's `lm_head.weight`, when the file has one, is the
 * embedding and is not read.
 */
export async function loadLlamaCheckpoint(
  pathOrRepoId: string,
  options: PretrainedOptions = {},
): Promise<LoadedLlamaCheckpoint> {
  const configPath = await resolveModelFile(pathOrRepoId, 'config.json', { ...options, required: true });
  const config = parseLlamaConfig(await readJsonFile(configPath), `config.json (${configPath})`);
  const shapes = llamaCheckpointShapes(config);
  const tensors = new Map<string, CheckpointTensor>();
  const unexpected: string[] = [];
  const files = await weightFiles(pathOrRepoId, options);
  for (const path of files) {
    const file = await readSafetensors(path);
    for (const [key, tensor] of file.tensors) {
      if (BUFFER_KEY.test(key) || (config.tiedEmbeddings && key === 'lm_head.weight')) continue;
      if (!shapes.has(key) && !HEAD_KEY.test(key)) {
        unexpected.push(key);
        continue;
      }
      tensors.set(key, { shape: [...tensor.shape], values: floatValues(tensor, key, path) });
    }
  }
  const source = files.length === 1 ? files[0]! : `the ${files.length} shards of ${pathOrRepoId}`;
  // A classifier checkpoint (`…ForSequenceClassification`) has no LM head; the embedding stands in
  // for it, as if tied, so the backbone is still a complete causal LM.
  const headless = !config.tiedEmbeddings && !tensors.has('lm_head.weight') && tensors.has('score.weight');
  const resolved = headless ? { ...config, tiedEmbeddings: true } : config;
  checkCheckpointShapes(headless ? llamaCheckpointShapes(resolved) : shapes, tensors, source, {
    architecture: config.modelType,
    weightsName: 'the weights',
  });
  const weights = buildLlamaWeights(resolved, (key, shape) =>
    tf.tensor(tensors.get(key)!.values, shape, 'float32'),
  );
  const extra = new Map([...tensors].filter(([key]) => HEAD_KEY.test(key)));
  return { config: resolved, weights, extra, unexpected };
}

/** The safetensors files of the checkpoint: the single file, or every shard the index names. */
async function weightFiles(pathOrRepoId: string, options: PretrainedOptions): Promise<string[]> {
  const single = await resolveModelFile(pathOrRepoId, 'model.safetensors', { ...options, required: false });
  if (single !== undefined) return [single];
  const indexPath = await resolveModelFile(pathOrRepoId, 'model.safetensors.index.json', {
    ...options,
    required: false,
  });
  if (indexPath === undefined) {
    const bin = await resolveModelFile(pathOrRepoId, 'pytorch_model.bin', { ...options, required: false });
    throw new TrlError(
      'file-not-found',
      `No model.safetensors (nor model.safetensors.index.json) in "${pathOrRepoId}"` +
        (bin ? ', only pytorch_model.bin, which is not read (it is a pickle)' : '') +
        '. Convert it with transformers: model.save_pretrained(dir, safe_serialization=True).',
    );
  }
  const index = (await readJsonFile(indexPath)) as { weight_map?: unknown } | null;
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null) {
    throw new TrlError('invalid-file', `${indexPath} has no weight_map object; re-download the checkpoint.`);
  }
  const shards = [...new Set(Object.values(map as Record<string, unknown>))];
  if (shards.some((s) => typeof s !== 'string')) {
    throw new TrlError('invalid-file', `${indexPath}: weight_map values must be shard file names.`);
  }
  const paths: string[] = [];
  for (const shard of shards as string[]) {
    paths.push((await resolveModelFile(pathOrRepoId, shard, { ...options, required: true }))!);
  }
  return paths;
}
