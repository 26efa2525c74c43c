import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Metrics, type Tracker, TrlError } from '@trl/spec';
import { resolveCheckpoint } from '../checkpoint/index';
import { ProgressBar } from '../io/progress';
import { JsonlTracker } from '../io/tracker/jsonl-tracker';
import { MultiTracker } from '../io/tracker/multi-tracker';
import { TensorBoardTracker } from '../io/tracker/tensorboard-tracker';
import type { TextSink } from '../io/tracker/text-sink';
import { AdamW } from '../train/adamw';
import { clipGradNorm } from '../train/clip';
import { Rng } from '../train/rng';
import { createLrSchedule } from '../train/schedules';
import { type LoopState, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { epochOrder, microBatchesOfStep, planSteps } from './data-order';
import { evaluateTask } from './evaluate';
import type { TrainingArguments } from './training-arguments';
import type { TrainingTask } from './training-task';

/** Inputs of {@link runTrainingLoop}. */
export interface TrainingLoopOptions<Example, Batch> {
  /** The trainer-specific part: batching, loss, parameters, saving. */
  task: TrainingTask<Example, Batch>;
  /** Validated arguments (parse them with `trainingArgumentsSchema` or a schema extending it). */
  args: TrainingArguments;
  /** Prepared (e.g. tokenized) training examples. */
  trainExamples: readonly Example[];
  /** Prepared evaluation examples; needed when `args.evalStrategy` is not `no`. */
  evalExamples?: readonly Example[];
  /** Where metrics go; default trackers from `args.reportTo` in `args.outputDir`. */
  tracker?: Tracker;
  /** Output of the progress bar. Default `process.stdout`. */
  progressStream?: TextSink;
  /** Stops the run after the current optimizer step (no final save), as an interrupted job. */
  signal?: AbortSignal;
}

/** What {@link runTrainingLoop} returns. */
export interface TrainingLoopResult {
  /** Optimizer steps taken in total (including those before a resume). */
  globalStep: number;
  /** Steps the run was planned for. */
  totalSteps: number;
  /** Mean training loss over the steps run in this call. */
  trainingLoss: number;
  /** True when `signal` stopped the run early. */
  interrupted: boolean;
  /** Every logged record (training logs and evaluations), as transformers' `log_history`. */
  logHistory: (Metrics & { step: number })[];
}

/**
 * The training loop shared by every trainer: epochs or `maxSteps`, micro-batches with gradient
 * accumulation, AdamW with a warmup/decay schedule and global-norm clipping, evaluation and atomic
 * checkpoints every N steps (keeping the last K), exact resume, tracker logging and a progress bar.
 * Each optimizer step runs the task's loss in `tf.variableGrads`; no tensor outlives its step.
 */
export async function runTrainingLoop<Example, Batch>(
  options: TrainingLoopOptions<Example, Batch>,
): Promise<TrainingLoopResult> {
  const { task, args, trainExamples } = options;
  if (trainExamples.length === 0) {
    throw new TrlError(
      'invalid-dataset',
      `${task.name}: the training dataset is empty after preprocessing; nothing to train on.`,
    );
  }
  if (args.evalStrategy !== 'no' && (options.evalExamples?.length ?? 0) === 0) {
    throw new TrlError(
      'missing-eval-dataset',
      `${task.name}: evalStrategy is '${args.evalStrategy}' but no eval examples were given; pass an eval dataset or set evalStrategy 'no'.`,
    );
  }
  const accumulation = args.gradientAccumulationSteps;
  const batchSize = args.perDeviceTrainBatchSize;
  const plan = planSteps(trainExamples.length, batchSize, accumulation, args.numTrainEpochs, args.maxSteps);
  const schedule = createLrSchedule({
    kind: args.lrSchedulerType,
    baseLr: args.learningRate,
    warmupSteps: args.warmupSteps,
    warmupRatio: args.warmupRatio,
    totalSteps: plan.totalSteps,
  });
  const parameters = task.parameters();
  if (parameters.length === 0)
    throw new TrlError('invalid-argument', `${task.name}: the model has no trainable parameters.`);
  const variables = parameters.map((parameter) => parameter.variable);
  const optimizer = new AdamW(parameters, {
    learningRate: args.learningRate,
    beta1: args.adamBeta1,
    beta2: args.adamBeta2,
    epsilon: args.adamEpsilon,
    weightDecay: args.weightDecay,
    checkFinite: true,
  });
  const dataSeed = args.dataSeed ?? args.seed;
  let rng = new Rng(args.seed);
  let globalStep = 0;
  let logHistory: (Metrics & { step: number })[] = [];

  if (args.resumeFromCheckpoint !== undefined && args.resumeFromCheckpoint !== false) {
    const dir = await resolveCheckpoint(args.resumeFromCheckpoint, args.outputDir);
    const current = { ...plan, trainExamples: trainExamples.length, dataSeed };
    const state = await loadCheckpoint(dir, parameters, optimizer, (saved) => {
      const mismatch = (['trainExamples', 'updatesPerEpoch', 'totalSteps', 'dataSeed'] as const).find(
        (key) => saved[key] !== current[key],
      );
      if (mismatch) {
        throw new TrlError(
          'invalid-checkpoint',
          `resumeFromCheckpoint ${dir}: the checkpoint's ${mismatch} is ${saved[mismatch]} but this run has ` +
            `${current[mismatch]}; resume with the same data and arguments.`,
        );
      }
    }).catch((error: unknown) => {
      optimizer.dispose();
      throw error;
    });
    globalStep = state.globalStep;
    rng = Rng.fromState(state.rng);
    logHistory = state.logHistory;
  }

  const tracker = options.tracker ?? defaultTracker(args);
  const progress = args.disableTqdm
    ? undefined
    : new ProgressBar({
        total: plan.totalSteps,
        label: task.name,
        stream: options.progressStream,
        keys: ['loss', 'eval_loss'],
      });
  const ownsTracker = options.tracker === undefined;
  let order: number[] = [];
  let orderEpoch = -1;
  let lossSinceLog = 0;
  let stepsSinceLog = 0;
  let lossThisCall = 0;
  let stepsThisCall = 0;
  let interrupted = false;

  const record = async (metrics: Metrics): Promise<void> => {
    logHistory.push({ ...metrics, step: globalStep });
    await tracker?.log(metrics, globalStep);
  };
  const stateOf = (): LoopState => ({
    format: 'trl-ts-trainer-state-v1',
    globalStep,
    epoch: globalStep / plan.updatesPerEpoch,
    totalSteps: plan.totalSteps,
    updatesPerEpoch: plan.updatesPerEpoch,
    trainExamples: trainExamples.length,
    dataSeed,
    rng: rng.getState(),
    logHistory,
  });

  try {
    progress?.update(globalStep);
    while (globalStep < plan.totalSteps) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const epoch = Math.floor(globalStep / plan.updatesPerEpoch);
      if (epoch !== orderEpoch) {
        order = epochOrder(trainExamples.length, dataSeed, epoch);
        orderEpoch = epoch;
      }
      const microBatches = microBatchesOfStep(globalStep, order, plan, batchSize, accumulation);
      const { loss, grads } = accumulateGradients(task, microBatches, trainExamples, variables, rng);
      const learningRate = schedule(globalStep);
      optimizer.setLearningRate(learningRate);
      let gradNorm: number | undefined;
      try {
        if (args.maxGradNorm > 0) gradNorm = clipGradNorm(grads, args.maxGradNorm);
        optimizer.step(grads);
      } finally {
        tf.dispose(Object.values(grads));
      }
      globalStep++;
      lossSinceLog += loss;
      stepsSinceLog++;
      lossThisCall += loss;
      stepsThisCall++;
      const atEpochEnd = globalStep % plan.updatesPerEpoch === 0;
      if (globalStep % args.loggingSteps === 0 || globalStep === plan.totalSteps) {
        const metrics: Metrics = {
          loss: lossSinceLog / stepsSinceLog,
          learning_rate: learningRate,
          epoch: globalStep / plan.updatesPerEpoch,
        };
        if (gradNorm !== undefined) metrics.grad_norm = gradNorm;
        await record(metrics);
        lossSinceLog = 0;
        stepsSinceLog = 0;
      }
      let shown: Metrics = { loss };
      const evalEvery = args.evalSteps ?? args.loggingSteps;
      if (
        (args.evalStrategy === 'steps' && globalStep % evalEvery === 0) ||
        (args.evalStrategy === 'epoch' && atEpochEnd)
      ) {
        const evaluation = evaluateTask(
          task,
          options.evalExamples ?? [],
          args.perDeviceEvalBatchSize,
          args.seed,
        );
        await record({ ...evaluation, epoch: globalStep / plan.updatesPerEpoch });
        shown = { ...shown, ...evaluation };
      }
      if (
        (args.saveStrategy === 'steps' && globalStep % args.saveSteps === 0) ||
        (args.saveStrategy === 'epoch' && atEpochEnd)
      ) {
        await tracker?.flush();
        await saveCheckpoint(
          args.outputDir,
          { parameters, optimizer, state: stateOf(), saveModel: (dir) => task.saveModel(dir) },
          args.saveTotalLimit,
        );
      }
      progress?.update(globalStep, shown);
    }
    if (!interrupted) await task.saveModel(args.outputDir);
  } finally {
    progress?.stop();
    optimizer.dispose();
    if (ownsTracker) await tracker?.close();
    else await tracker?.flush();
  }
  return {
    globalStep,
    totalSteps: plan.totalSteps,
    trainingLoss: stepsThisCall > 0 ? lossThisCall / stepsThisCall : Number.NaN,
    interrupted,
    logHistory,
  };
}

/**
 * Runs the loss of every micro-batch of one optimizer step and sums the gradients, each loss scaled
 * by 1/(number of micro-batches) so the step sees the mean, as transformers does.
 */
function accumulateGradients<Example, Batch>(
  task: TrainingTask<Example, Batch>,
  microBatches: readonly number[][],
  examples: readonly Example[],
  variables: tf.Variable[],
  rng: Rng,
): { loss: number; grads: Record<string, tf.Tensor> } {
  const grads: Record<string, tf.Tensor> = {};
  let loss = 0;
  for (const indices of microBatches) {
    const batch = task.collate(indices.map((index) => examples[index] as Example));
    let rawLoss: tf.Scalar | undefined;
    const result = tf.variableGrads(() => {
      const output = task.computeLoss(batch, { training: true, rng });
      rawLoss = tf.keep(output.loss);
      return tf.div(output.loss, microBatches.length) as tf.Scalar;
    }, variables);
    result.value.dispose();
    loss += ((rawLoss as tf.Scalar).dataSync()[0] as number) / microBatches.length;
    (rawLoss as tf.Scalar).dispose();
    for (const [name, grad] of Object.entries(result.grads)) {
      const previous = grads[name];
      if (previous) {
        grads[name] = tf.add(previous, grad);
        previous.dispose();
        grad.dispose();
      } else grads[name] = grad;
    }
  }
  if (!Number.isFinite(loss)) {
    tf.dispose(Object.values(grads));
    throw new TrlError(
      'non-finite-value',
      `${task.name}: the training loss is ${loss}; lower the learning rate or check the data.`,
    );
  }
  return { loss, grads };
}

/** Trackers named in `reportTo`, writing into the output directory. */
function defaultTracker(args: TrainingArguments): Tracker | undefined {
  const trackers: Tracker[] = [];
  if (args.reportTo.includes('jsonl')) trackers.push(new JsonlTracker(join(args.outputDir, 'logs.jsonl')));
  if (args.reportTo.includes('tensorboard'))
    trackers.push(new TensorBoardTracker(join(args.outputDir, 'runs')));
  if (trackers.length === 0) return undefined;
  return trackers.length === 1 ? trackers[0] : new MultiTracker(trackers);
}
