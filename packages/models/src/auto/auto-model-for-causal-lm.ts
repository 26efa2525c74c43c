import { TrlError } from '@trl/core';
import { readJsonFile } from '../checkpoint/json-file';
import { loadGpt2Checkpoint, type PretrainedOptions } from '../checkpoint/load';
import { Gpt2LMHeadModel } from '../gpt2/model';
import { linearModules } from '../gpt2/weights';
import { resolveModelFile } from '../hub/index';
import { assertPathOrRepoIdGiven } from '../hub/repo-id';
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
  const base = await baseModelOf(pathOrRepoId, options);
  const checkpoint = await loadGpt2Checkpoint(
    base,
    base === pathOrRepoId ? options : { ...options, revision: undefined },
  );
  const model = new Gpt2LMHeadModel({
    config: checkpoint.config,
    weights: checkpoint.weights,
    seed: options.seed ?? 0,
    nameOrPath: base,
  });
  try {
    model.adapters = await readLoraAdapter(pathOrRepoId, linearModules(model.weights), options);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, extra: checkpoint.extra };
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
 * architecture comes from `config.json`'s `model_type` (GPT-2 is the one implemented).
 */
export const AutoModelForCausalLM = {
  /** Reads `config.json` and `model.safetensors` (through the hub cache for repo ids) and returns the model. */
  async fromPretrained(
    pathOrRepoId: string,
    options: CausalLMFromPretrainedOptions = {},
  ): Promise<Gpt2LMHeadModel> {
    return (await loadGpt2Model(pathOrRepoId, options)).model;
  },
};
