import { TrlError, tf } from '@trl/core';
import type { PretrainedOptions } from '../checkpoint/load';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import { linearModules } from '../gpt2/weights';
import { LoraAdapters } from './adapters';
import { type LoraConfigInput, parseLoraConfig } from './config';
import { readLoraAdapter } from './peft-files';

/**
 * Adds fresh LoRA adapters to `model` (in place, as PEFT's `get_peft_model`) and returns it. From
 * then on only the adapter factors are trainable; the base weights are untouched.
 */
export function addLora(model: Gpt2LMHeadModel, config: LoraConfigInput = {}): Gpt2LMHeadModel {
  if (model.adapters)
    throw new TrlError(
      'invalid-argument',
      'This model already has LoRA adapters; merge or load into a fresh model.',
    );
  model.adapters = LoraAdapters.attach(linearModules(model.weights), parseLoraConfig(config));
  return model;
}

/** Loads a PEFT LoRA adapter directory or hub repo onto `model` (in place) and returns it. */
export async function loadLoraAdapter(
  model: Gpt2LMHeadModel,
  pathOrRepoId: string,
  options: PretrainedOptions = {},
): Promise<Gpt2LMHeadModel> {
  if (model.adapters)
    throw new TrlError('invalid-argument', 'This model already has LoRA adapters; load into a fresh model.');
  const adapters = await readLoraAdapter(pathOrRepoId, linearModules(model.weights), options);
  if (!adapters)
    throw new TrlError(
      'file-not-found',
      `No adapter_config.json in "${pathOrRepoId}"; is it a PEFT LoRA adapter?`,
    );
  model.adapters = adapters;
  return model;
}

/**
 * Folds every adapter into its base weight (`W += scaling * A^T B^T`, fan_in_fan_out layout),
 * frees the adapters and returns the plain model, as PEFT's `merge_and_unload`.
 */
export function mergeAndUnload(model: Gpt2LMHeadModel): Gpt2LMHeadModel {
  const adapters = model.adapters;
  if (!adapters) throw new TrlError('invalid-argument', 'mergeAndUnload: the model has no LoRA adapters.');
  const layers = new Map(linearModules(model.weights).map((l) => [l.name, l]));
  for (const adapter of adapters.all()) {
    const layer = layers.get(adapter.module)!;
    tf.tidy(() => layer.weight.assign(tf.add(layer.weight, adapter.mergedDelta())));
  }
  adapters.dispose();
  model.adapters = undefined;
  return model;
}
