import { type Metrics, type Tokenizer, type Tracker, TrlError } from '@trl/spec';
import { Dataset } from '../data/dataset';
import type { TextSink } from '../io/tracker/text-sink';
import { evaluateTask } from './evaluate';
import type { PeftSetup } from './peft-setup';
import { runTrainingLoop, type TrainingLoopResult } from './train-loop';
import type { TrainingArguments } from './training-arguments';
import type { TrainingTask } from './training-task';

/** Options of {@link TaskTrainer.train}. */
export interface TrainOptions {
  /** Stops after the current step without the final save (an interrupted job; resume from a checkpoint). */
  signal?: AbortSignal;
}

/**
 * What every supervised trainer (SFT, reward) does around its {@link TrainingTask}: train with
 * {@link runTrainingLoop} and evaluate with {@link evaluateTask}. A subclass prepares its examples in
 * its constructor and supplies only the task (collation, loss, saving).
 */
export abstract class TaskTrainer<Example, Batch> {
  /** Validated settings. */
  abstract readonly args: TrainingArguments;
  /** Prepared training examples, in dataset order. */
  abstract readonly trainExamples: readonly Example[];
  /** Prepared evaluation examples. */
  abstract readonly evalExamples: readonly Example[] | undefined;
  /** The class name errors start with, e.g. `SFTTrainer`. */
  protected abstract readonly trainerName: string;
  /** Metrics sink; undefined for the loop's default from `args.reportTo`. */
  protected abstract readonly tracker: Tracker | undefined;
  /** Progress bar output; undefined for stdout. */
  protected abstract readonly progressStream: TextSink | undefined;

  /** The trainer-specific part of the loop. */
  protected abstract task(): TrainingTask<Example, Batch>;

  /** Trains with the shared loop; writes checkpoints and the final model into `args.outputDir`. */
  async train(options: TrainOptions = {}): Promise<TrainingLoopResult> {
    return runTrainingLoop({
      task: this.task(),
      args: this.args,
      trainExamples: this.trainExamples,
      evalExamples: this.evalExamples,
      tracker: this.tracker,
      progressStream: this.progressStream,
      signal: options.signal,
    });
  }

  /** The task's eval metrics (`eval_loss` and the task's own) on the eval dataset. */
  evaluate(): Metrics {
    if (!this.evalExamples)
      throw new TrlError('missing-eval-dataset', `${this.trainerName}.evaluate: no evalDataset was given.`);
    return evaluateTask(this.task(), this.evalExamples, this.args.perDeviceEvalBatchSize, this.args.seed);
  }
}

/** The rows of a `Dataset` or an array; anything else throws `invalid-argument` with `message`. */
export function datasetRows<Row>(dataset: Dataset<Row> | readonly Row[], message: string): readonly Row[] {
  if (dataset instanceof Dataset) return dataset.toArray();
  if (Array.isArray(dataset)) return dataset;
  throw new TrlError('invalid-argument', message);
}

/** `model` with the PEFT adapters of `peft` applied, or `model` itself without a setup. */
export function applyPeft<Model, Config>(model: Model, peft: PeftSetup<Model, Config> | undefined): Model {
  return peft ? peft.apply(model, peft.config) : model;
}

/**
 * The sequence length a trainer uses: `requested`, which may not exceed the model's positions, or
 * min(1024, positions) when unset (TRL's default). `field` names the setting in the error.
 */
export function resolveMaxLength(
  owner: string,
  field: string,
  requested: number | undefined,
  maxPositions: number,
): number {
  if (requested !== undefined && requested > maxPositions) {
    throw new TrlError(
      'invalid-value',
      `${owner}: ${field} ${requested} exceeds the model's ${maxPositions} positions; lower it.`,
    );
  }
  return requested ?? Math.min(1024, maxPositions);
}

/** Writes the tokenizer beside the model when it knows how (Hugging Face tokenizers do), as TRL saves the processing class. */
export async function saveTokenizerIfPossible(tokenizer: Tokenizer | undefined, dir: string): Promise<void> {
  const candidate = tokenizer as { savePretrained?: (dir: string) => Promise<void> } | undefined;
  if (typeof candidate?.savePretrained === 'function') await candidate.savePretrained(dir);
}
