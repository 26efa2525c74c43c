import { TrlError, tf } from '@trl/core';
import type { PretrainedOptions } from '../checkpoint/load';
import { LoraAdapters, type LoraTargetLayer } from './adapters';
import { type LoraConfigInput, parseLoraConfig } from './config';
import { readLoraAdapter } from './peft-files';

/** A model LoRA adapters attach to (GPT-2 and the Llama family). */
export interface LoraHost {
  /** The adapters, when attached. */
  adapters: LoraAdapters | undefined;
  /** The projections adapters may target, each with its module path and `[in, out]` weight. */
  loraTargets(): LoraTargetLayer[];
  /** `target_modules` when the caller names none (PEFT's default for the architecture). */
  readonly defaultLoraTargets: readonly string[] | undefined;
  /** The architecture's name in error messages. */
  readonly loraModelName: string;
}

/**
 * Adds fresh LoRA adapters to `model` (in place, as PEFT's `get_peft_model`) and returns it. From
 * then on only the adapter factors are trainable; the base weights are untouched.
 */
export function addLora<Model extends LoraHost>(model: Model, config: LoraConfigInput = {}): Model {
  if (model.adapters)
    throw new TrlError(
      'invalid-argument',
      'This model already has LoRA adapters; merge or load into a fresh model.',
    );
  const defaults = model.defaultLoraTargets;
  const withDefaults =
    config.targetModules === undefined && defaults ? { ...config, targetModules: [...defaults] } : config;
  model.adapters = LoraAdapters.attach(
    model.loraTargets(),
    parseLoraConfig(withDefaults),
    model.loraModelName,
  );
  return model;
}

/** Loads a PEFT LoRA adapter directory or hub repo onto `model` (in place) and returns it. */
export async function loadLoraAdapter<Model extends LoraHost>(
  model: Model,
  pathOrRepoId: string,
  options: PretrainedOptions = {},
): Promise<Model> {
  if (model.adapters)
    throw new TrlError('invalid-argument', 'This model already has LoRA adapters; load into a fresh model.');
  const adapters = await readLoraAdapter(pathOrRepoId, model.loraTargets(), options);
  if (!adapters)
    throw new TrlError(
      'file-not-found',
      `No adapter_config.json in "${pathOrRepoId}"; is it a PEFT LoRA adapter?`,
    );
  model.adapters = adapters;
  return model;
}

/**
 * Folds every adapter into its base weight (`W += scaling * A^T B^T` on the `[in, out]` weight),
 * frees the adapters and returns the plain model, as PEFT's `merge_and_unload`.
 */
export function mergeAndUnload<Model extends LoraHost>(model: Model): Model {
  const adapters = model.adapters;
  if (!adapters) throw new TrlError('invalid-argument', 'mergeAndUnload: the model has no LoRA adapters.');
  const layers = new Map(model.loraTargets().map((l) => [l.name, l]));
  for (const adapter of adapters.all()) {
    const layer = layers.get(adapter.module)!;
    tf.tidy(() => layer.weight.assign(tf.add(layer.weight, adapter.mergedDelta())));
  }
  adapters.dispose();
  model.adapters = undefined;
  return model;
}
