import {
  applyPeft,
  assertKnownKeys,
  type CausalLM,
  type Dataset,
  DPO_METRIC_NAMES,
  type DpoLossStats,
  datasetRows,
  dpoLoss,
  type LossContext,
  type LossOutput,
  nestedKeyHints,
  type PeftSetup,
  parseConfig,
  resolveMaxLength,
  resolvePadTokenId,
  saveTokenizerIfPossible,
  TaskTrainer,
  type TextSink,
  type Tokenizer,
  type Tracker,
  type TrainingTask,
  TrlError,
  tf,
} from '@trl/core';
import { collateDPO, type DPOBatch } from './collate';
import { type DPOConfig, type DPOConfigInput, dpoConfigSchema } from './config';
import { sequenceLogps } from './logps';
import { type DPODatasetStats, type DPOExample, prepareDPODataset } from './prepare';

/** Inputs of {@link DPOTrainer}. */
export interface DPOTrainerOptions<Model extends CausalLM, PeftConfig = unknown> {
  /** The policy to train. */
  model: Model;
  /**
   * The frozen reference model (e.g. `createReferenceModel(model)`). Optional only with
   * `args.precomputeRefLogProbs`, which scores the data once with the policy's initial weights.
   */
  refModel?: CausalLM;
  /** Encodes text rows; optional when every row holds token ids. */
  tokenizer?: Tokenizer;
  /** Settings; defaults as TRL 1.13's DPOConfig. */
  args?: DPOConfigInput;
  /** Preference rows: `{ prompt, chosen, rejected }` texts or `*_input_ids`. */
  trainDataset: Dataset<unknown> | readonly unknown[];
  /** Rows for evaluation (loss and the reward metrics, `eval_`-prefixed). */
  evalDataset?: Dataset<unknown> | readonly unknown[];
  /** LoRA: adapters applied before training. */
  peft?: PeftSetup<Model, PeftConfig>;
  /** Metrics sink; default from `args.reportTo`. */
  tracker?: Tracker;
  /** Progress bar output; default stdout. */
  progressStream?: TextSink;
}

const OPTION_KEYS: Record<keyof DPOTrainerOptions<CausalLM>, true> = {
  model: true,
  refModel: true,
  tokenizer: true,
  args: true,
  trainDataset: true,
  evalDataset: true,
  peft: true,
  tracker: true,
  progressStream: true,
};

/**
 * TRL 1.13's `DPOTrainer` for standard (non-chat) preference data on the shared training loop:
 * one concatenated chosen+rejected forward per batch, summed completion log-probs, the DPO loss
 * family of @trl/core, and TRL's metric names (`rewards/chosen`, `rewards/margins`, `logps/chosen`, ...).
 */
export class DPOTrainer<Model extends CausalLM = CausalLM, PeftConfig = unknown> extends TaskTrainer<
  DPOExample,
  DPOBatch
> {
  /** Validated settings. */
  readonly args: DPOConfig;
  /** The policy (with adapters when `peft` was given). */
  readonly model: Model;
  /** Effective truncation length (`null`: none). */
  readonly maxLength: number | null;
  /** Tokenized training pairs. */
  readonly trainExamples: readonly DPOExample[];
  /** Tokenized evaluation pairs. */
  readonly evalExamples: readonly DPOExample[] | undefined;
  /** What preprocessing did to each split. */
  readonly datasetStats: { train: DPODatasetStats; eval?: DPODatasetStats };
  protected readonly trainerName = 'DPOTrainer';
  protected readonly tracker: Tracker | undefined;
  protected readonly progressStream: TextSink | undefined;
  private readonly refModel: CausalLM | undefined;
  private readonly padTokenId: number;
  private readonly tokenizer: Tokenizer | undefined;

  /** Validates settings and rows and tokenizes them; precomputes reference log-probs when asked. */
  constructor(options: DPOTrainerOptions<Model, PeftConfig>) {
    super();
    if (!options || typeof options.model?.forward !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'DPOTrainer: `model` must be a CausalLM (AutoModelForCausalLM).',
      );
    }
    assertKnownKeys('DPOTrainer', options, Object.keys(OPTION_KEYS), {
      hints: nestedKeyHints(Object.keys(dpoConfigSchema.shape), 'args'),
    });
    this.args = parseConfig('DPOTrainer', dpoConfigSchema, options.args);
    if (options.refModel !== undefined && typeof options.refModel.forward !== 'function') {
      throw new TrlError('invalid-argument', 'DPOTrainer: `refModel` must be a CausalLM.');
    }
    if (options.refModel === undefined && !this.args.precomputeRefLogProbs) {
      throw new TrlError(
        'invalid-argument',
        'DPOTrainer: no reference model. Pass `refModel` (e.g. createReferenceModel(model) from @trl/models) or set ' +
          '`args.precomputeRefLogProbs: true` to score the data once with the initial (adapter-free) weights; ' +
          'the CausalLM spec has no hook to disable LoRA adapters during training.',
      );
    }
    if (options.refModel !== undefined && options.refModel === options.model) {
      throw new TrlError(
        'invalid-argument',
        'DPOTrainer: `refModel` is the policy itself; pass a frozen copy (createReferenceModel(model)).',
      );
    }
    const { maxPositions, vocabSize } = options.model.info;
    this.maxLength =
      this.args.maxLength === null
        ? null
        : resolveMaxLength('DPOTrainer', 'maxLength', this.args.maxLength, maxPositions);
    const maxLength = this.maxLength;
    this.tokenizer = options.tokenizer;
    this.padTokenId = resolvePadTokenId(options.tokenizer, options.model.info);
    const eosTokenId = options.tokenizer?.eosTokenId ?? options.model.info.eosTokenId;
    const prepare = (dataset: Dataset<unknown> | readonly unknown[], split: string) =>
      prepareDPODataset(
        datasetRows(dataset, `DPOTrainer: the ${split} dataset must be a Dataset or an array of rows.`),
        { tokenizer: options.tokenizer, maxLength, vocabSize, eosTokenId, split },
      );
    const train = prepare(options.trainDataset, 'train');
    const evaluation = options.evalDataset === undefined ? undefined : prepare(options.evalDataset, 'eval');
    this.trainExamples = train.examples;
    this.evalExamples = evaluation?.examples;
    this.datasetStats = evaluation ? { train: train.stats, eval: evaluation.stats } : { train: train.stats };
    this.tracker = options.tracker;
    this.progressStream = options.progressStream;
    this.refModel = options.refModel;
    this.model = applyPeft(options.model, options.peft);
    if (this.args.precomputeRefLogProbs) {
      // Fresh LoRA adapters are zero, so the adapted policy still equals its base here.
      const scorer = this.refModel ?? this.model;
      this.trainExamples = this.precomputeRefs(scorer, train.examples);
      if (evaluation) this.evalExamples = this.precomputeRefs(scorer, evaluation.examples);
    }
  }

  /**
   * The loss and TRL's metrics of one batch of pairs, without a gradient step (e.g. for parity checks).
   * Keys: `loss`, `rewards/chosen`, `rewards/rejected`, `rewards/accuracies`, `rewards/margins`,
   * `logps/chosen`, `logps/rejected`.
   */
  batchMetrics(examples: readonly DPOExample[]): Record<string, number> {
    const batch = collateDPO(examples, this.padTokenId, this.maxLength);
    return tf.tidy(() => {
      const { loss, metrics } = this.loss(batch, { training: false, split: 'train' });
      const out: Record<string, number> = { loss: loss.dataSync()[0] as number };
      for (const [name, value] of Object.entries(metrics ?? {})) out[name] = value.dataSync()[0] as number;
      return out;
    });
  }

  /** The DPO part of the loop: concatenated collator, DPO loss, saving. */
  protected task(): TrainingTask<DPOExample, DPOBatch> {
    return {
      name: 'dpo',
      parameters: () => this.model.trainableVariables(),
      collate: (examples) => collateDPO(examples, this.padTokenId, this.maxLength),
      computeLoss: (batch, context) => this.loss(batch, { ...context, split: 'auto' }),
      saveModel: async (dir) => {
        await this.model.savePretrained(dir);
        await saveTokenizerIfPossible(this.tokenizer, dir);
      },
    };
  }

  private loss(
    batch: DPOBatch,
    context: Partial<LossContext> & { training: boolean; split: string },
  ): LossOutput {
    const pairs = batch.indices.length;
    const policy = sequenceLogps(this.model, batch, {
      training: context.training && !this.args.disableDropout,
      ...(context.rng === undefined ? {} : { dropoutRng: context.rng }),
    });
    const half = (t: tf.Tensor1D, side: 0 | 1) => tf.slice(t, [side * pairs], [pairs]) as tf.Tensor1D;
    let refChosen: tf.Tensor1D;
    let refRejected: tf.Tensor1D;
    if (batch.refChosenLogps && batch.refRejectedLogps) {
      refChosen = tf.tensor1d(batch.refChosenLogps);
      refRejected = tf.tensor1d(batch.refRejectedLogps);
    } else {
      const ref = sequenceLogps(this.refModel as CausalLM, batch);
      // The reference is a constant of the objective; no gradient flows into it.
      const logps = tf.keep(ref.logps);
      refChosen = half(logps, 0);
      refRejected = half(logps, 1);
      logps.dispose();
      ref.lengths.dispose();
    }
    const { loss, stats } = dpoLoss(
      {
        chosenLogps: half(policy.logps, 0),
        rejectedLogps: half(policy.logps, 1),
        refChosenLogps: refChosen,
        refRejectedLogps: refRejected,
        chosenLengths: half(policy.lengths, 0),
        rejectedLengths: half(policy.lengths, 1),
      },
      {
        beta: this.args.beta,
        lossType: this.args.lossType,
        labelSmoothing: this.args.labelSmoothing,
        ...(this.args.lossWeights === undefined ? {} : { lossWeights: this.args.lossWeights }),
      },
    );
    const metrics: Record<string, tf.Scalar> = {};
    for (const [key, name] of Object.entries(DPO_METRIC_NAMES) as [keyof DpoLossStats, string][]) {
      metrics[name] = stats[key];
    }
    return { loss, metrics };
  }

  private precomputeRefs(scorer: CausalLM, examples: readonly DPOExample[]): DPOExample[] {
    const size = this.args.perDeviceEvalBatchSize;
    const out: DPOExample[] = [];
    for (let start = 0; start < examples.length; start += size) {
      const chunk = examples.slice(start, start + size);
      const batch = collateDPO(chunk, this.padTokenId, this.maxLength);
      const values = tf.tidy(() => sequenceLogps(scorer, batch).logps.dataSync());
      chunk.forEach((example, i) => {
        out.push({
          ...example,
          refChosenLogps: values[i] as number,
          refRejectedLogps: values[i + chunk.length] as number,
        });
      });
    }
    return out;
  }
}
