export { type CheckpointContents, type LoopState, loadCheckpoint, saveCheckpoint } from './checkpoint';
export { epochOrder, microBatchesOfStep, planSteps, type StepPlan } from './data-order';
export { evaluateTask } from './evaluate';
export type { PeftSetup } from './peft-setup';
export {
  applyPeft,
  datasetRows,
  resolveMaxLength,
  saveTokenizerIfPossible,
  TaskTrainer,
  type TrainOptions,
} from './task-trainer';
export { runTrainingLoop, type TrainingLoopOptions, type TrainingLoopResult } from './train-loop';
export {
  INTERVAL_STRATEGIES,
  parseConfig,
  REPORT_TARGETS,
  type TrainingArguments,
  type TrainingArgumentsInput,
  trainingArgumentsSchema,
} from './training-arguments';
export type { LossContext, LossOutput, TrainingTask } from './training-task';
