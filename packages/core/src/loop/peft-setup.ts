/**
 * How a trainer puts adapters (LoRA) on a model without depending on a model package: the PEFT
 * config and the function that applies it, e.g. `{ config: { r: 8 }, apply: addLora }` with
 * `addLora` from `@trl/models`. The trainer calls `apply` once, before collecting parameters.
 */
export interface PeftSetup<Model, Config> {
  /** The adapter settings (PEFT's `LoraConfig` in camelCase). */
  config: Config;
  /** Adds the adapters to `model` and returns the model to train. */
  apply: (model: Model, config: Config) => Model;
}
