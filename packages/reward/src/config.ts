import { trainingArgumentsSchema } from '@trl/core';
import { z } from 'zod';

/**
 * RewardTrainer settings: the shared training arguments plus TRL's `RewardConfig` fields in
 * camelCase (TrainingArguments' defaults otherwise).
 */
export const rewardConfigSchema = trainingArgumentsSchema.extend({
  /**
   * Longest tokenized text; pairs with a longer side are dropped, as TRL filters them (`max_length`).
   * Default min(1024, the model's maximum positions).
   */
  maxLength: z.number().int().positive().optional(),
  /**
   * Weight of the auxiliary loss mean((r_chosen + r_rejected)²) that keeps rewards centred on zero
   * (`center_rewards_coefficient`, Eisenstein et al. 2023); unset disables it. 0.01 is the paper's value.
   */
  centerRewardsCoefficient: z.number().finite().nonnegative().optional(),
  /** Run the model without dropout (`disable_dropout`). */
  disableDropout: z.boolean().default(true),
});

/** Reward settings as a caller writes them. */
export type RewardConfigInput = z.input<typeof rewardConfigSchema>;

/** Validated reward settings. */
export type RewardConfig = z.output<typeof rewardConfigSchema>;
