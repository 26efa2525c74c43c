import {
  applyPeft,
  assertKnownKeys,
  type Dataset,
  datasetRows,
  type LossContext,
  type LossOutput,
  nestedKeyHints,
  type PeftSetup,
  type PreferenceRow,
  parseConfig,
  resolveMaxLength,
  resolvePadTokenId,
  type SequenceClassifier,
  saveTokenizerIfPossible,
  TaskTrainer,
  type TextSink,
  type Tokenizer,
  type Tracker,
  type TrainingTask,
  TrlError,
  tf,
} from '@trl/core';
import { collatePairs, type PairBatch } from './collate';
import { type RewardConfig, type RewardConfigInput, rewardConfigSchema } from './config';
import { pairwiseRewardLoss } from './loss';
import { type PairDatasetStats, type PairExample, preparePairs } from './prepare';

/** Inputs of {@link RewardTrainer}. */
export interface RewardTrainerOptions<Model extends SequenceClassifier, PeftConfig = unknown> {
  /** A sequence classifier with one label (e.g. `AutoModelForSequenceClassification.fromPretrained(id, { numLabels: 1 })`). */
  model: Model;
  /** Encodes text pairs; optional when every row holds token ids. */
  tokenizer?: Tokenizer;
  /** Settings; defaults as TRL's RewardConfig. */
  args?: RewardConfigInput;
  /** Preference pairs (`chosen`, `rejected`, optional `margin`). */
  trainDataset: Dataset<PreferenceRow> | readonly PreferenceRow[];
  /** Pairs for evaluation (loss and accuracy). */
  evalDataset?: Dataset<PreferenceRow> | readonly PreferenceRow[];
  /** LoRA: adapters applied before training. */
  peft?: PeftSetup<Model, PeftConfig>;
  /** Metrics sink; default from `args.reportTo`. */
  tracker?: Tracker;
  /** Progress bar output; default stdout. */
  progressStream?: TextSink;
}

/** Every key of the options object; a Record so the compiler flags a key added to the interface but not here. */
const OPTION_KEYS: Record<keyof RewardTrainerOptions<SequenceClassifier>, true> = {
  model: true,
  tokenizer: true,
  args: true,
  trainDataset: true,
  evalDataset: true,
  peft: true,
  tracker: true,
  progressStream: true,
};

/**
 * TRL's `RewardTrainer`: trains a one-label sequence classifier so chosen texts score above
 * rejected ones, on the shared training loop. Evaluation reports `eval_loss`, `eval_accuracy`
 * and `eval_margin`.
 */
export class RewardTrainer<
  Model extends SequenceClassifier = SequenceClassifier,
  PeftConfig = unknown,
> extends TaskTrainer<PairExample, PairBatch> {
  /** Validated settings. */
  readonly args: RewardConfig;
  /** The reward model (with adapters when `peft` was given). */
  readonly model: Model;
  /** Effective maximum length. */
  readonly maxLength: number;
  /** Tokenized training pairs. */
  readonly trainExamples: readonly PairExample[];
  /** Tokenized evaluation pairs. */
  readonly evalExamples: readonly PairExample[] | undefined;
  /** What preprocessing did to each split. */
  readonly datasetStats: { train: PairDatasetStats; eval?: PairDatasetStats };
  protected readonly trainerName = 'RewardTrainer';
  protected readonly tracker: Tracker | undefined;
  protected readonly progressStream: TextSink | undefined;
  private readonly padTokenId: number;
  private readonly tokenizer: Tokenizer | undefined;

  /** Validates settings and pairs and tokenizes them; throws before writing anything. */
  constructor(options: RewardTrainerOptions<Model, PeftConfig>) {
    super();
    if (
      !options ||
      typeof options.model?.forward !== 'function' ||
      typeof options.model.numLabels !== 'number'
    ) {
      throw new TrlError(
        'invalid-argument',
        'RewardTrainer: `model` must be a SequenceClassifier (AutoModelForSequenceClassification).',
      );
    }
    if (options.model.numLabels !== 1) {
      throw new TrlError(
        'invalid-dataset',
        `RewardTrainer: the model has ${options.model.numLabels} labels; a reward model needs numLabels 1.`,
      );
    }
    // A training argument written next to `model` instead of inside `args` would otherwise be ignored.
    assertKnownKeys('RewardTrainer', options, Object.keys(OPTION_KEYS), {
      hints: nestedKeyHints(Object.keys(rewardConfigSchema.shape), 'args'),
    });
    this.args = parseConfig('RewardTrainer', rewardConfigSchema, options.args);
    const { maxPositions, vocabSize } = options.model.info;
    this.maxLength = resolveMaxLength('RewardTrainer', 'maxLength', this.args.maxLength, maxPositions);
    this.tokenizer = options.tokenizer;
    this.padTokenId = resolvePadTokenId(options.tokenizer, options.model.info);
    const prepare = (dataset: Dataset<PreferenceRow> | readonly PreferenceRow[], split: string) =>
      preparePairs(toRows(dataset, split), {
        tokenizer: options.tokenizer,
        maxLength: this.maxLength,
        vocabSize,
        split,
      });
    const train = prepare(options.trainDataset, 'train');
    const evaluation = options.evalDataset === undefined ? undefined : prepare(options.evalDataset, 'eval');
    this.trainExamples = train.examples;
    this.evalExamples = evaluation?.examples;
    this.datasetStats = evaluation ? { train: train.stats, eval: evaluation.stats } : { train: train.stats };
    this.tracker = options.tracker;
    this.progressStream = options.progressStream;
    this.model = applyPeft(options.model, options.peft);
  }

  /** Scores texts or token-id rows with the reward model (one number each). */
  score(samples: readonly (string | number[])[]): number[] {
    const ids = samples.map((sample, index) => {
      if (typeof sample !== 'string') return sample;
      if (!this.tokenizer)
        throw new TrlError(
          'invalid-dataset',
          `RewardTrainer.score: sample ${index} is text but no tokenizer was given.`,
        );
      return this.tokenizer.encode(sample);
    });
    const batch = collatePairs(
      ids.map((chosen) => ({ chosen, rejected: chosen, margin: 0 })),
      this.padTokenId,
    );
    const rows = ids.length;
    const length = batch.inputIds[0]?.length ?? 0;
    return tf.tidy(() => {
      const { logits } = this.model.forward({
        inputIds: tf.tensor2d(batch.inputIds.slice(0, rows), [rows, length], 'int32'),
        attentionMask: tf.tensor2d(batch.attentionMask.slice(0, rows), [rows, length], 'int32'),
      });
      return [...logits.dataSync()];
    });
  }

  /** The reward part of the loop: pair collator, pairwise loss; evaluation adds `eval_accuracy` and `eval_margin`. */
  protected task(): TrainingTask<PairExample, PairBatch> {
    return {
      name: 'reward',
      parameters: () => this.model.trainableVariables(),
      collate: (examples) => collatePairs(examples, this.padTokenId),
      computeLoss: (batch, context) => this.loss(batch, context),
      saveModel: async (dir) => {
        await this.model.savePretrained(dir);
        await saveTokenizerIfPossible(this.tokenizer, dir);
      },
    };
  }

  private loss(batch: PairBatch, { training, rng }: LossContext): LossOutput {
    const pairs = batch.margins.length;
    const length = batch.inputIds[0]?.length ?? 0;
    const { logits } = this.model.forward({
      inputIds: tf.tensor2d(batch.inputIds, [2 * pairs, length], 'int32'),
      attentionMask: tf.tensor2d(batch.attentionMask, [2 * pairs, length], 'int32'),
      training: training && !this.args.disableDropout,
      // The loop's checkpointed stream, so a resumed run drops the same units.
      dropoutRng: rng,
    });
    const rewards = tf.reshape(logits, [2 * pairs]);
    const chosen = tf.slice(rewards, [0], [pairs]) as tf.Tensor1D;
    const rejected = tf.slice(rewards, [pairs], [pairs]) as tf.Tensor1D;
    const { loss, accuracy, margin } = pairwiseRewardLoss(
      chosen,
      rejected,
      tf.tensor1d(batch.margins),
      this.args.centerRewardsCoefficient,
    );
    return { loss, metrics: { accuracy, margin } };
  }
}

function toRows(
  dataset: Dataset<PreferenceRow> | readonly PreferenceRow[],
  split: string,
): readonly unknown[] {
  return datasetRows(
    dataset,
    `RewardTrainer: the ${split} dataset must be a Dataset or an array of { chosen, rejected } rows.`,
  );
}
