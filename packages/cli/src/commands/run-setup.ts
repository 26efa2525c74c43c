import { BACKEND_PREFERENCES } from '@trl/core';
import { z } from 'zod';

/** Options every training command takes besides the trainer's config. */
export const runSetupSchema = z.object({
  /** Model directory or hub repo id. */
  modelNameOrPath: z.string().min(1),
  /** Training data file. */
  datasetPath: z.string().min(1),
  /** Evaluation data file. */
  evalDatasetPath: z.string().min(1).optional(),
  /** Fraction or count of training rows held out for evaluation when no eval file is given. */
  evalSplit: z.number().positive().optional(),
  /** Malformed JSONL/CSV lines: fail or skip. */
  onBadRecord: z.enum(['fail', 'skip']).default('fail'),
  /** tfjs backend. */
  backend: z.enum(BACKEND_PREFERENCES).default('auto'),
  /** Validate and print the config only. */
  dryRun: z.boolean().default(false),
  /** Train LoRA adapters. */
  usePeft: z.boolean().default(false),
  /** LoRA rank (TRL ModelConfig's default). */
  loraR: z.number().int().positive().default(16),
  /** LoRA alpha (TRL ModelConfig's default). */
  loraAlpha: z.number().positive().default(32),
  /** LoRA dropout (TRL ModelConfig's default). */
  loraDropout: z.number().min(0).max(1).default(0.05),
  /** Modules to adapt. */
  loraTargetModules: z.array(z.string().min(1)).min(1).optional(),
});

/** Validated run setup. */
export type RunSetup = z.output<typeof runSetupSchema>;

/** A copy of `config` without `keys` (the options a command uses itself), in the original key order. */
export function withoutKeys<Config extends object, Key extends string>(
  config: Config,
  keys: readonly Key[],
): Omit<Config, Key> {
  const rest = { ...config } as Record<string, unknown>;
  for (const key of keys) delete rest[key];
  return rest as Omit<Config, Key>;
}

/** The trainer's own arguments: a command's config without the run-setup options. */
export function trainerArgs<Config extends RunSetup>(config: Config): Omit<Config, keyof RunSetup> {
  return withoutKeys(config, Object.keys(runSetupSchema.shape) as (keyof RunSetup)[]);
}
