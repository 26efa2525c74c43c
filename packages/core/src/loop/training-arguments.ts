import { parseOptions } from '@trl/spec';
import { z } from 'zod';
import { LR_SCHEDULE_KINDS } from '../train/schedules';

/** When evaluation or checkpointing happens (transformers' `IntervalStrategy`). */
export const INTERVAL_STRATEGIES = ['no', 'steps', 'epoch'] as const;

/** Trackers the loop can create by itself (`report_to`). */
export const REPORT_TARGETS = ['jsonl', 'tensorboard', 'none'] as const;

/**
 * The options of the shared training loop: transformers' `TrainingArguments` in camelCase with its
 * defaults (a subset: one device, AdamW only). Trainer configs (SFT, reward) extend this schema.
 */
export const trainingArgumentsSchema = z.object({
  /** Where checkpoints, logs and the final model go (`output_dir`). */
  outputDir: z.string().min(1).default('trainer_output'),
  /** Passes over the training set; fractions allowed (`num_train_epochs`). Ignored when `maxSteps` > 0. */
  numTrainEpochs: z.number().positive().default(3),
  /** Total optimizer steps; overrides `numTrainEpochs` when > 0 (`max_steps`). */
  maxSteps: z.number().int().min(-1).default(-1),
  /** Examples per micro-batch (`per_device_train_batch_size`). */
  perDeviceTrainBatchSize: z.number().int().positive().default(8),
  /** Examples per evaluation batch (`per_device_eval_batch_size`). */
  perDeviceEvalBatchSize: z.number().int().positive().default(8),
  /** Micro-batches whose gradients are summed into one optimizer step (`gradient_accumulation_steps`). */
  gradientAccumulationSteps: z.number().int().positive().default(1),
  /** Peak AdamW learning rate (`learning_rate`). */
  learningRate: z.number().finite().nonnegative().default(5e-5),
  /** Decoupled weight decay (`weight_decay`). */
  weightDecay: z.number().finite().nonnegative().default(0),
  /** AdamW β1 (`adam_beta1`). */
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  /** AdamW β2 (`adam_beta2`). */
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  /** AdamW ε (`adam_epsilon`). */
  adamEpsilon: z.number().finite().nonnegative().default(1e-8),
  /** Clip the global gradient norm to this value; 0 disables (`max_grad_norm`). */
  maxGradNorm: z.number().finite().nonnegative().default(1),
  /** Learning-rate schedule after warmup (`lr_scheduler_type`). */
  lrSchedulerType: z.enum(LR_SCHEDULE_KINDS).default('linear'),
  /** Linear warmup steps (`warmup_steps`); wins over `warmupRatio` when > 0. */
  warmupSteps: z.number().int().nonnegative().default(0),
  /** Warmup as a fraction of all steps (`warmup_ratio`). */
  warmupRatio: z.number().min(0).max(1).default(0),
  /** Log the averaged training loss every this many steps (`logging_steps`). */
  loggingSteps: z.number().int().positive().default(500),
  /** When to evaluate on the eval set (`eval_strategy`). */
  evalStrategy: z.enum(INTERVAL_STRATEGIES).default('no'),
  /** Evaluate every this many steps with `evalStrategy: 'steps'`; default `loggingSteps` (`eval_steps`). */
  evalSteps: z.number().int().positive().optional(),
  /** When to write checkpoints (`save_strategy`). */
  saveStrategy: z.enum(INTERVAL_STRATEGIES).default('steps'),
  /** Checkpoint every this many steps with `saveStrategy: 'steps'` (`save_steps`). */
  saveSteps: z.number().int().positive().default(500),
  /** Keep only the newest this many checkpoints (`save_total_limit`); unset keeps all. */
  saveTotalLimit: z.number().int().positive().optional(),
  /** Seed of the data order and of every random choice in the loop (`seed`). */
  seed: z.number().int().default(42),
  /** Seed of the data order only; default `seed` (`data_seed`). */
  dataSeed: z.number().int().optional(),
  /** Resume from this checkpoint directory, or `true` for the newest one in `outputDir`. */
  resumeFromCheckpoint: z.union([z.string().min(1), z.boolean()]).optional(),
  /** Trackers to open in `outputDir` when the caller passes none (`report_to`). */
  reportTo: z.array(z.enum(REPORT_TARGETS)).default(['jsonl']),
  /** Hide the progress bar (`disable_tqdm`). */
  disableTqdm: z.boolean().default(false),
});

/** Training arguments as a caller writes them (every field optional). */
export type TrainingArgumentsInput = z.input<typeof trainingArgumentsSchema>;

/** Validated training arguments with every default filled in. */
export type TrainingArguments = z.output<typeof trainingArgumentsSchema>;

/**
 * Validates a trainer config with `schema` ({@link parseOptions} worded as `invalid config`):
 * throws one TrlConfigError naming `owner` and every bad or unknown field.
 */
export function parseConfig<Schema extends z.ZodType>(
  owner: string,
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  return parseOptions(owner, schema, input, { what: 'config' });
}
