import { TrlError } from '@trl/core';
import { readJsonFile } from '../checkpoint/json-file';
import { type CheckpointTensor, loadGpt2Checkpoint, type PretrainedOptions } from '../checkpoint/load';
import type { DecoderParts } from '../decoder-model';
import { Gpt2LMHeadModel } from '../gpt2/model';
import { resolveModelFile } from '../hub/index';
import { assertPathOrRepoIdGiven } from '../hub/repo-id';
import { LLAMA_FAMILY_TYPES } from '../llama/config';
import { loadLlamaCheckpoint } from '../llama/load';
import { LlamaForCausalLM } from '../llama/model';
import { readLoraAdapter } from '../lora/peft-files';

/** Options for {@link AutoModelForCausalLM.fromPretrained}. */
export interface CausalLMFromPretrainedOptions extends PretrainedOptions {
  /** Seed for dropout masks in training mode. Default 0. */
  seed?: number;
}

/**
 * Loads GPT-2 weights and, when the directory also holds a PEFT adapter (`adapter_config.json`), its
 * LoRA adapters.
 */
export async function loadGpt2Model(pathOrRepoId: string, options: CausalLMFromPretrainedOptions = {}) {
  return loadGpt2FromBase(await baseModelOf(pathOrRepoId, options), pathOrRepoId, options);
}

/** What an architecture's checkpoint reader returns. */
interface ReadCheckpoint<Config, Weights> {
  readonly config: Config;
  readonly weights: Weights;
  readonly extra: ReadonlyMap<string, CheckpointTensor>;
}

/**
 * A registry loader: reads the base checkpoint with `read`, assembles the model with `build`, and
 * attaches the PEFT adapter `pathOrRepoId` holds, if any.
 */
function checkpointLoader<Config, Weights, Model extends PretrainedCausalLM>(
  read: (base: string, options: PretrainedOptions) => Promise<ReadCheckpoint<Config, Weights>>,
  build: (parts: DecoderParts<Config, Weights>) => Model,
) {
  return async (base: string, pathOrRepoId: string, options: CausalLMFromPretrainedOptions) => {
    const checkpoint = await read(base, baseOptions(base, pathOrRepoId, options));
    const model = build({
      config: checkpoint.config,
      weights: checkpoint.weights,
      seed: options.seed ?? 0,
      nameOrPath: base,
    });
    return { model: await withSavedAdapter(model, pathOrRepoId, options), extra: checkpoint.extra };
  };
}

const loadGpt2FromBase = checkpointLoader(loadGpt2Checkpoint, (parts) => new Gpt2LMHeadModel(parts));
const loadLlamaFromBase = checkpointLoader(loadLlamaCheckpoint, (parts) => new LlamaForCausalLM(parts));

/** The options for reading the base: a revision names the adapter's repo, not the base's. */
function baseOptions(base: string, pathOrRepoId: string, options: PretrainedOptions): PretrainedOptions {
  return base === pathOrRepoId ? options : { ...options, revision: undefined };
}

/** Attaches the PEFT adapter `pathOrRepoId` holds, if any; disposes the model when reading it fails. */
async function withSavedAdapter<Model extends PretrainedCausalLM>(
  model: Model,
  pathOrRepoId: string,
  options: PretrainedOptions,
): Promise<Model> {
  try {
    model.adapters = await readLoraAdapter(pathOrRepoId, model.loraTargets(), options);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Every causal LM `AutoModelForCausalLM` can return. */
export type PretrainedCausalLM = Gpt2LMHeadModel | LlamaForCausalLM;

/** Loads one architecture's checkpoint from its base directory or repo. */
type CausalLMLoader = (
  base: string,
  pathOrRepoId: string,
  options: CausalLMFromPretrainedOptions,
) => Promise<{ model: PretrainedCausalLM; extra: ReadonlyMap<string, CheckpointTensor> }>;

/** The registry: `config.json`'s `model_type` → the loader of that architecture. */
const CAUSAL_LM_LOADERS: Readonly<Record<string, CausalLMLoader>> = {
  gpt2: loadGpt2FromBase,
  ...Object.fromEntries(LLAMA_FAMILY_TYPES.map((type) => [type, loadLlamaFromBase])),
};

/** The `model_type` values `AutoModelForCausalLM` loads. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.keys(CAUSAL_LM_LOADERS);

/**
 * Loads the architecture `config.json` names (GPT-2 when it names none, as older GPT-2 configs
 * do), with its LoRA adapter when the directory holds one.
 */
export async function loadCausalLM(pathOrRepoId: string, options: CausalLMFromPretrainedOptions = {}) {
  const base = await baseModelOf(pathOrRepoId, options);
  const modelType = await modelTypeOf(base, baseOptions(base, pathOrRepoId, options));
  const loader = Object.hasOwn(CAUSAL_LM_LOADERS, modelType) ? CAUSAL_LM_LOADERS[modelType] : undefined;
  if (!loader) {
    throw new TrlError(
      'unsupported-model-type',
      `model_type ${JSON.stringify(modelType)} (config.json of "${base}") is not supported: @trl/models ` +
        `implements ${SUPPORTED_MODEL_TYPES.join(', ')}.`,
    );
  }
  return loader(base, pathOrRepoId, options);
}

/** `config.json`'s `model_type`; `gpt2` when absent or when the file is not an object (GPT-2's loader reports that). */
async function modelTypeOf(base: string, options: PretrainedOptions): Promise<string> {
  const path = await resolveModelFile(base, 'config.json', { ...options, required: true });
  const config = (await readJsonFile(path)) as unknown;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'gpt2';
  const modelType = (config as { model_type?: unknown }).model_type;
  return typeof modelType === 'string' ? modelType : 'gpt2';
}

/**
 * Where the base weights are: the directory or repo itself when it has a `config.json`, else the
 * `base_model_name_or_path` of the PEFT adapter it holds (an adapter-only checkpoint, as PEFT saves).
 */
async function baseModelOf(pathOrRepoId: string, options: PretrainedOptions): Promise<string> {
  assertPathOrRepoIdGiven(pathOrRepoId);
  if (await resolveModelFile(pathOrRepoId, 'config.json', { ...options, required: false }))
    return pathOrRepoId;
  const adapterConfig = await resolveModelFile(pathOrRepoId, 'adapter_config.json', {
    ...options,
    required: false,
  });
  if (adapterConfig === undefined) {
    throw new TrlError(
      'file-not-found',
      `No config.json (nor a PEFT adapter_config.json) in "${pathOrRepoId}"; is it a model checkpoint?`,
    );
  }
  const adapter = (await readJsonFile(adapterConfig)) as { base_model_name_or_path?: unknown } | null;
  const base = adapter?.base_model_name_or_path;
  if (typeof base !== 'string' || base.length === 0) {
    throw new TrlError(
      'invalid-file',
      `${adapterConfig} names no base_model_name_or_path: load the base model with fromPretrained, then the adapter ` +
        'with loadLoraAdapter.',
    );
  }
  return base;
}

/**
 * Loads a causal LM from a directory or hub repo, as transformers' `AutoModelForCausalLM`. The
 * architecture comes from `config.json`'s `model_type` through a registry: `gpt2`, and the Llama
 * family (`llama`, `mistral`, `qwen2`, `qwen3`).
 */
export const AutoModelForCausalLM = {
  /**
   * Reads `config.json` and the safetensors weights (through the hub cache for repo ids) and returns
   * the model. The type argument is the architecture the caller expects; it defaults to GPT-2 so
   * existing code keeps its types. The object returned is whatever `config.json` describes (check
   * with `instanceof` when the checkpoint could be either).
   */
  async fromPretrained<Model extends PretrainedCausalLM = Gpt2LMHeadModel>(
    pathOrRepoId: string,
    options: CausalLMFromPretrainedOptions = {},
  ): Promise<Model> {
    return (await loadCausalLM(pathOrRepoId, options)).model as Model;
  },
};
