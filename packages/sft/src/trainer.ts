import {
  applyPeft,
  assertKnownKeys,
  type CausalLM,
  type CausalLMInput,
  crossEntropy,
  type Dataset,
  datasetRows,
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
  type TrainOptions,
  TrlError,
  tf,
} from '@trl/core';
import { padCollate, type SFTBatch } from './collate';
import { type SFTConfig, type SFTConfigInput, sftConfigSchema } from './config';
import { neftuneNoise } from './neftune';
import { prepareSFTDataset, type SFTDatasetStats } from './prepare';
import { type FormattingFunc, IGNORE_INDEX, type SFTExample } from './tokenize';

/** Inputs of {@link SFTTrainer}. */
export interface SFTTrainerOptions<Row, Model extends CausalLM, PeftConfig = unknown> {
  /** The causal LM to fine-tune (any implementation of the spec). */
  model: Model;
  /** Its tokenizer. */
  tokenizer: Tokenizer;
  /** Settings; TRL's SFTConfig defaults for anything left out. */
  args?: SFTConfigInput;
  /**
   * Rows with a text column, prompt/completion rows, pre-tokenized rows (`input_ids` with an optional
   * `completion_mask`, see `PretokenizedRow`), or anything `formattingFunc` understands.
   */
  trainDataset: Dataset<Row> | readonly Row[];
  /** Rows for evaluation (eval loss and perplexity). */
  evalDataset?: Dataset<Row> | readonly Row[];
  /** Builds the training text of a row (TRL's `formatting_func`). */
  formattingFunc?: FormattingFunc<Row>;
  /** LoRA: adapters applied before training, e.g. `{ config: { r: 8 }, apply: addLora }`. */
  peft?: PeftSetup<Model, PeftConfig>;
  /** Metrics sink; default from `args.reportTo`. */
  tracker?: Tracker;
  /** Progress bar output; default stdout. */
  progressStream?: TextSink;
  /** Receives warnings (rows without the response template). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Options of {@link SFTTrainer.train}. */
export type SFTTrainOptions = TrainOptions;

/** Every key of the options object; a Record so the compiler flags a key added to the interface but not here. */
const OPTION_KEYS: Record<keyof SFTTrainerOptions<unknown, CausalLM>, true> = {
  model: true,
  tokenizer: true,
  args: true,
  trainDataset: true,
  evalDataset: true,
  formattingFunc: true,
  peft: true,
  tracker: true,
  progressStream: true,
  onWarning: true,
};

/**
 * TRL's `SFTTrainer`: supervised fine-tuning of a causal LM on text, with truncation, padding,
 * packing (ConstantLengthDataset), completion-only loss, NEFTune and LoRA, on the shared training
 * loop of `@trl/core`. Rows are validated and tokenized in the constructor, so bad data fails
 * before anything is written.
 */
export class SFTTrainer<Row, Model extends CausalLM = CausalLM, PeftConfig = unknown> extends TaskTrainer<
  SFTExample,
  SFTBatch
> {
  /** Validated settings. */
  readonly args: SFTConfig;
  /** The model being trained (with adapters when `peft` was given). */
  readonly model: Model;
  /** The tokenizer. */
  readonly tokenizer: Tokenizer;
  /** Effective maximum sequence length. */
  readonly maxSeqLength: number;
  /** Tokenized training examples, in dataset order. */
  readonly trainExamples: readonly SFTExample[];
  /** Tokenized evaluation examples. */
  readonly evalExamples: readonly SFTExample[] | undefined;
  /** What preprocessing did to each split. */
  readonly datasetStats: { train: SFTDatasetStats; eval?: SFTDatasetStats };
  protected readonly trainerName = 'SFTTrainer';
  protected readonly tracker: Tracker | undefined;
  protected readonly progressStream: TextSink | undefined;
  private readonly padTokenId: number;
  private noiseHookCalled = false;

  /** Validates settings and rows, tokenizes, and applies `peft`. Throws before writing anything. */
  constructor(options: SFTTrainerOptions<Row, Model, PeftConfig>) {
    super();
    if (!options || typeof options.model?.forward !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'SFTTrainer: `model` must be a CausalLM (e.g. from AutoModelForCausalLM.fromPretrained).',
      );
    }
    if (typeof options.tokenizer?.encode !== 'function')
      throw new TrlError('invalid-argument', 'SFTTrainer: `tokenizer` must be a Tokenizer.');
    // A training argument written next to `model` instead of inside `args` would otherwise be ignored.
    assertKnownKeys('SFTTrainer', options, Object.keys(OPTION_KEYS), {
      hints: nestedKeyHints(Object.keys(sftConfigSchema.shape), 'args'),
    });
    this.args = parseConfig('SFTTrainer', sftConfigSchema, options.args);
    this.tokenizer = options.tokenizer;
    this.maxSeqLength = resolveMaxLength(
      'SFTTrainer',
      'maxSeqLength',
      this.args.maxSeqLength,
      options.model.info.maxPositions,
    );
    const eosTokenId = this.tokenizer.eosTokenId ?? options.model.info.eosTokenId;
    this.padTokenId = resolvePadTokenId(this.tokenizer, options.model.info);
    if (this.args.packing && eosTokenId === undefined) {
      throw new TrlError(
        'invalid-value',
        'SFTTrainer: packing puts eos between examples, but neither the tokenizer nor the model has an eos id.',
      );
    }
    const template = this.args.responseTemplate;
    const responseTemplateIds = typeof template === 'string' ? this.tokenizer.encode(template) : template;
    if (responseTemplateIds && responseTemplateIds.length === 0) {
      throw new TrlError(
        'invalid-value',
        `SFTTrainer: responseTemplate ${JSON.stringify(template)} encodes to no tokens.`,
      );
    }
    const context = {
      config: this.args,
      tokenizer: this.tokenizer,
      maxSeqLength: this.maxSeqLength,
      responseTemplateIds,
      eosTokenId: eosTokenId ?? 0,
      formattingFunc: options.formattingFunc,
      vocabSize: options.model.info.vocabSize,
    };
    const train = prepareSFTDataset(toRows(options.trainDataset, 'trainDataset'), {
      ...context,
      split: 'train',
    });
    const evaluation =
      options.evalDataset === undefined
        ? undefined
        : prepareSFTDataset(toRows(options.evalDataset, 'evalDataset'), { ...context, split: 'eval' });
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    for (const [split, stats] of [
      ['train', train.stats],
      ['eval', evaluation?.stats],
    ] as const) {
      if (stats && stats.withoutResponseTemplate > 0) {
        warn(
          `SFTTrainer: ${stats.withoutResponseTemplate} of ${stats.rows} ${split} rows do not contain the response template; they are kept with every label -100 (no loss).`,
        );
      }
    }
    this.trainExamples = train.examples;
    this.evalExamples = evaluation?.examples;
    this.datasetStats = evaluation ? { train: train.stats, eval: evaluation.stats } : { train: train.stats };
    this.tracker = options.tracker;
    this.progressStream = options.progressStream;
    this.model = applyPeft(options.model, options.peft);
  }

  /** The SFT part of the loop: padding collator, shifted next-token loss, NEFTune, saving; evaluation adds `eval_perplexity`. */
  protected task(): TrainingTask<SFTExample, SFTBatch> {
    return {
      name: 'sft',
      parameters: () => this.model.trainableVariables(),
      collate: (examples) => padCollate(examples, this.padTokenId),
      computeLoss: (batch, context) => this.loss(batch, context),
      finishEvalMetrics: (averaged) => ({ ...averaged, perplexity: Math.exp(averaged.loss ?? Number.NaN) }),
      saveModel: async (dir) => {
        await this.model.savePretrained(dir);
        await saveTokenizerIfPossible(this.tokenizer, dir);
      },
    };
  }

  private loss(batch: SFTBatch, { training, rng }: LossContext): LossOutput {
    const rows = batch.inputIds.length;
    const length = batch.inputIds[0]?.length ?? 0;
    const alpha = this.args.neftuneNoiseAlpha;
    const input: CausalLMInput = {
      inputIds: tf.tensor2d(batch.inputIds, [rows, length], 'int32'),
      attentionMask: tf.tensor2d(batch.attentionMask, [rows, length], 'int32'),
      training,
      // The loop's checkpointed stream, so a resumed run drops the same units.
      dropoutRng: rng,
    };
    if (training && alpha !== undefined) {
      this.noiseHookCalled = false;
      input.embeddingNoise = (embeddings) => {
        this.noiseHookCalled = true;
        return neftuneNoise(embeddings, alpha, rng);
      };
    }
    const { logits } = this.model.forward(input);
    if (input.embeddingNoise && !this.noiseHookCalled) {
      throw new TrlError(
        'invalid-dataset',
        'SFTTrainer: neftuneNoiseAlpha is set but the model ignored `embeddingNoise` in its forward input, so NEFTune ' +
          'cannot add noise. Use a model that supports the embedding-noise hook or unset neftuneNoiseAlpha.',
      );
    }
    // Position t predicts token t+1: drop the last logit and the first label.
    const vocab = logits.shape[2];
    const shifted = tf.slice(logits, [0, 0, 0], [rows, length - 1, vocab]);
    const targets = tf.tensor2d(
      batch.labels.map((row) => row.slice(1)),
      [rows, length - 1],
      'int32',
    );
    return { loss: crossEntropy(shifted, targets, { ignoreIndex: IGNORE_INDEX }) as tf.Scalar };
  }
}

function toRows<Row>(dataset: Dataset<Row> | readonly Row[], name: string): readonly Row[] {
  return datasetRows(dataset, `SFTTrainer: \`${name}\` must be a Dataset or an array of rows.`);
}
