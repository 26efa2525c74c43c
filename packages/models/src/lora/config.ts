import { TrlError } from '@trl/core';
import { z } from 'zod';

/**
 * LoRA settings, PEFT's `LoraConfig` in camelCase with PEFT's defaults, except `targetModules`,
 * which defaults to every GPT-2 projection (`c_attn`, `c_proj`, `c_fc`).
 */
export const loraConfigSchema = z.object({
  /** Rank of the update. */
  r: z.number().int().positive().default(8),
  /** Scale numerator: the update is multiplied by loraAlpha / r (or / sqrt(r) with useRslora). */
  loraAlpha: z.number().positive().default(8),
  /** Dropout on the adapter's input in training mode. */
  loraDropout: z.number().min(0).max(1).default(0),
  /**
   * Modules to adapt: a list of names matched against the end of each module path (`c_proj` matches
   * both `attn.c_proj` and `mlp.c_proj`), or a regular expression matched against the whole path.
   */
  targetModules: z
    .union([z.array(z.string().min(1)).min(1), z.string().min(1)])
    .default(['c_attn', 'c_proj', 'c_fc']),
  /** Rank-stabilised scaling alpha / sqrt(r). */
  useRslora: z.boolean().default(false),
  /** Seed of the lora_A init and of adapter dropout. */
  seed: z.number().int().default(0),
});

/** Validated LoRA settings. */
export type LoraConfig = z.output<typeof loraConfigSchema>;

/** LoRA settings as a caller passes them (every field optional). */
export type LoraConfigInput = z.input<typeof loraConfigSchema>;

/** Validates LoRA settings, naming each bad field. */
export function parseLoraConfig(input: LoraConfigInput = {}): LoraConfig {
  const result = loraConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TrlError('invalid-value', `Invalid LoRA config:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

/** Whether `modulePath` (e.g. `transformer.h.0.attn.c_attn`) is a target, as PEFT matches. */
export function isLoraTarget(modulePath: string, targets: LoraConfig['targetModules']): boolean {
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(modulePath);
  return targets.some((t) => modulePath === t || modulePath.endsWith(`.${t}`));
}

/** The multiplier of the adapter output. */
export function loraScaling(config: LoraConfig): number {
  return config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r;
}
