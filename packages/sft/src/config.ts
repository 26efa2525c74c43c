import { trainingArgumentsSchema } from '@trl/core';
import { z } from 'zod';

/**
 * SFTTrainer settings: the shared training arguments plus TRL's `SFTConfig` fields in camelCase,
 * with TRL's defaults (learning rate 2e-5 and logging every 10 steps, as SFTConfig overrides).
 */
export const sftConfigSchema = trainingArgumentsSchema.extend({
  /** Peak learning rate; SFTConfig's default. */
  learningRate: z.number().finite().nonnegative().default(2e-5),
  /** Log every this many steps; SFTConfig's default. */
  loggingSteps: z.number().int().positive().default(10),
  /** Column holding the training text (`dataset_text_field`). */
  datasetTextField: z.string().min(1).default('text'),
  /**
   * Longest tokenized example; longer rows are truncated (`max_seq_length`). Default
   * min(1024, the model's maximum positions). Also the chunk length when packing.
   */
  maxSeqLength: z.number().int().positive().optional(),
  /** Concatenate examples (eos between them) into fixed-length chunks (`packing`). */
  packing: z.boolean().default(false),
  /** Characters per token used to size the packing buffer (`chars_per_token`). */
  charsPerToken: z.number().positive().default(3.6),
  /** Sequences per packing buffer (`num_of_sequences`); leftovers shorter than a chunk are dropped per buffer. */
  numOfSequences: z.number().int().positive().default(1024),
  /**
   * Train only on the tokens after this template (`DataCollatorForCompletionOnlyLM`'s
   * `response_template`), as text or token ids. Rows without it contribute no loss.
   */
  responseTemplate: z.union([z.string().min(1), z.array(z.number().int().nonnegative()).min(1)]).optional(),
  /**
   * For prompt/completion rows: train only on the completion (`completion_only_loss`). Default true.
   */
  completionOnlyLoss: z.boolean().default(true),
  /** NEFTune noise scale α (`neftune_noise_alpha`); unset disables NEFTune. TRL suggests 5. */
  neftuneNoiseAlpha: z.number().positive().optional(),
});

/** SFT settings as a caller writes them (every field optional). */
export type SFTConfigInput = z.input<typeof sftConfigSchema>;

/** Validated SFT settings. */
export type SFTConfig = z.output<typeof sftConfigSchema>;
