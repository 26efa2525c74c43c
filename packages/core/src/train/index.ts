export {
  AdamW,
  type AdamWOptions,
  type AdamWParameterState,
  type AdamWState,
  adamWOptionsSchema,
} from './adamw';
export { loadAdamWState, saveAdamWState } from './adamw-checkpoint';
export { type ClipGradNormOptions, clipGradNorm, type MutableGradientMap } from './clip';
export type { GradientMap } from './gradients';
export { Rng, type RngState } from './rng';
export {
  createLrSchedule,
  LR_SCHEDULE_KINDS,
  type LrSchedule,
  type LrScheduleKind,
  type LrScheduleOptions,
  lrScheduleOptionsSchema,
} from './schedules';
