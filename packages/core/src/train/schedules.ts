import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { parseOptions } from './options';

/** Schedule names, as transformers' `lr_scheduler_type` (the hyphenated spelling is accepted too). */
export const LR_SCHEDULE_KINDS = ['constant', 'constant_with_warmup', 'linear', 'cosine'] as const;

/** One of {@link LR_SCHEDULE_KINDS}. */
export type LrScheduleKind = (typeof LR_SCHEDULE_KINDS)[number];

/** Options of {@link createLrSchedule}. */
export const lrScheduleOptionsSchema = z
  .object({
    /** Shape of the schedule after warmup (transformers `lr_scheduler_type`). */
    kind: z
      .enum([...LR_SCHEDULE_KINDS, 'constant-with-warmup'])
      .transform((kind): LrScheduleKind => (kind === 'constant-with-warmup' ? 'constant_with_warmup' : kind)),
    /** Peak learning rate, reached at the end of warmup (`learning_rate`). */
    baseLr: z.number().finite().nonnegative(),
    /** Steps of linear warmup from 0 (`warmup_steps`). Default 0. */
    warmupSteps: z.number().int().nonnegative().default(0),
    /** Warmup as a fraction of `totalSteps` (`warmup_ratio`), used when `warmupSteps` is 0; rounded up. */
    warmupRatio: z.number().min(0).max(1).default(0),
    /** Total optimizer steps (`num_training_steps`); required by `linear`, `cosine` and `warmupRatio`. */
    totalSteps: z.number().int().positive().optional(),
    /** Cosine waves over the decay phase; the default 0.5 goes from the peak down to 0 once. */
    numCycles: z.number().finite().nonnegative().default(0.5),
  })
  .superRefine((options, context) => {
    const needsTotal = options.kind === 'linear' || options.kind === 'cosine' || options.warmupRatio > 0;
    if (needsTotal && options.totalSteps === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['totalSteps'],
        message: `totalSteps is required for the ${options.kind} schedule${options.warmupRatio > 0 ? ' and warmupRatio' : ''}`,
      });
    }
  });

/** Options accepted by {@link createLrSchedule}. */
export type LrScheduleOptions = z.input<typeof lrScheduleOptionsSchema>;

/** Maps an optimizer step (0 for the first update) to the learning rate to use for it. */
export type LrSchedule = (step: number) => number;

/**
 * Learning-rate schedules with transformers' formulas (`get_scheduler`): a linear warmup from 0 to
 * `baseLr` over `warmupSteps`, then constant, linear decay to 0 at `totalSteps`, or a half cosine.
 * Call it with the number of optimizer steps already taken and pass the result to `setLearningRate`.
 */
export function createLrSchedule(options: LrScheduleOptions): LrSchedule {
  const { kind, baseLr, warmupRatio, totalSteps, numCycles, ...rest } = parseOptions(
    'createLrSchedule',
    lrScheduleOptionsSchema,
    options,
  );
  const warmupSteps =
    rest.warmupSteps > 0 || totalSteps === undefined ? rest.warmupSteps : Math.ceil(totalSteps * warmupRatio);
  const total = totalSteps ?? 0;
  const decaySteps = Math.max(1, total - warmupSteps);
  const factor = (step: number): number => {
    if (kind === 'constant') return 1;
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    if (kind === 'constant_with_warmup') return 1;
    if (kind === 'linear') return Math.max(0, (total - step) / decaySteps);
    const progress = (step - warmupSteps) / decaySteps;
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
  };
  return (step: number) => {
    if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) {
      throw new TrlError(
        'invalid-argument',
        `LrSchedule: \`step\` must be a finite number >= 0, got ${String(step)}.`,
      );
    }
    return baseLr * factor(step);
  };
}
