import { DPO_LOSS_TYPES, trainingArgumentsSchema } from '@trl/core';
import { z } from 'zod';

/**
 * DPOTrainer settings: the shared training arguments plus TRL 1.13 `DPOConfig`'s fields in camelCase,
 * with its defaults. Unknown keys are rejected.
 */
export const dpoConfigSchema = trainingArgumentsSchema.extend({
  /**
   * Longest prompt+completion in tokens (`max_length`); longer sequences keep their start. Default
   * min(1024, the model's positions); `null` disables truncation.
   */
  maxLength: z.number().int().positive().nullable().optional(),
  /** Strength of the tie to the reference model (`beta`). */
  beta: z.number().positive().default(0.1),
  /** One loss or several to add up (`loss_type`). */
  lossType: z.union([z.enum(DPO_LOSS_TYPES), z.array(z.enum(DPO_LOSS_TYPES)).min(1)]).default(['sigmoid']),
  /** Weight of each `lossType` entry (`loss_weights`). */
  lossWeights: z.array(z.number()).optional(),
  /** Assumed share of flipped labels, used by 'robust' (`label_smoothing`). */
  labelSmoothing: z.number().min(0).lt(0.5).default(0),
  /**
   * Compute reference log-probs once before training (`precompute_ref_log_probs`): with `refModel`, or
   * without one from the policy's initial weights (the adapter-free base, since fresh LoRA adapters are zero).
   */
  precomputeRefLogProbs: z.boolean().default(false),
  /** Run the policy without dropout (`disable_dropout`). */
  disableDropout: z.boolean().default(true),
});

/** DPO settings as a caller writes them. */
export type DPOConfigInput = z.input<typeof dpoConfigSchema>;

/** Validated DPO settings. */
export type DPOConfig = z.output<typeof dpoConfigSchema>;
