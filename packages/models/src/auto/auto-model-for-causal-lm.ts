import { loadGpt2Checkpoint, type PretrainedOptions } from '../checkpoint/load';
import { Gpt2LMHeadModel } from '../gpt2/model';
import { linearModules } from '../gpt2/weights';
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
  const checkpoint = await loadGpt2Checkpoint(pathOrRepoId, options);
  const model = new Gpt2LMHeadModel({
    config: checkpoint.config,
    weights: checkpoint.weights,
    seed: options.seed ?? 0,
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
