import { TrlConfigError, TrlError } from '@trl/core';
import { readJsonFile } from '../checkpoint/json-file';
import type { EncoderForSequenceClassification } from '../encoders/classifier';
import { type CreateEncoderClassifierOptions, createEncoderClassifier } from '../encoders/create';
import { ENCODER_ARCHITECTURES } from '../encoders/index';
import { type EncoderClassifierOptions, loadEncoderClassifier } from '../encoders/load';
import type { Gpt2ForSequenceClassification } from '../heads/sequence-classification';
import { resolveModelFile } from '../hub/index';
import {
  AutoModelForSequenceClassification,
  type SequenceClassificationOptions,
} from './auto-model-with-heads';

/** Options of {@link AutoSequenceClassifier.fromPretrained}. */
export interface AutoSequenceClassifierOptions
  extends SequenceClassificationOptions,
    Pick<EncoderClassifierOptions, 'ignoreMismatchedSizes'> {}

/** The `model_type`s {@link AutoSequenceClassifier} loads. */
export const SEQUENCE_CLASSIFIER_MODEL_TYPES = ['gpt2', ...Object.keys(ENCODER_ARCHITECTURES)] as const;

/**
 * transformers' `AutoModelForSequenceClassification` over every architecture this package has:
 * `config.json`'s `model_type` picks BERT, DistilBERT, RoBERTa or GPT-2. GPT-2 (and a PEFT
 * adapter-only folder, which has no config.json) goes through `AutoModelForSequenceClassification`
 * unchanged, so `numLabels` defaults to 1 there; encoders take their label count from `id2label`.
 */
export const AutoSequenceClassifier = {
  /** Reads config.json, dispatches on `model_type` and loads the weights. */
  async fromPretrained(
    pathOrRepoId: string,
    options: AutoSequenceClassifierOptions = {},
  ): Promise<Gpt2ForSequenceClassification | EncoderForSequenceClassification> {
    const { ignoreMismatchedSizes, ...gpt2Options } = options;
    const loadGpt2 = () => {
      if (ignoreMismatchedSizes) {
        throw new TrlError(
          'invalid-argument',
          'ignoreMismatchedSizes is implemented for the encoders only, not GPT-2.',
        );
      }
      return AutoModelForSequenceClassification.fromPretrained(pathOrRepoId, gpt2Options);
    };
    const configPath = await resolveModelFile(pathOrRepoId, 'config.json', { ...options, required: false });
    if (configPath === undefined)
      return AutoModelForSequenceClassification.fromPretrained(pathOrRepoId, options);
    const raw = await readJsonFile(configPath);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TrlError(
        'invalid-value',
        `${configPath} must hold a JSON object, got ${JSON.stringify(raw)}.`,
      );
    }
    const config = raw as Record<string, unknown>;
    const modelType = config['model_type'];
    if (typeof modelType !== 'string') {
      throw new TrlConfigError(
        configPath,
        [
          {
            code: 'invalid-value',
            field: 'model_type',
            message: 'is missing; transformers writes it on save_pretrained',
          },
        ],
        'config',
      );
    }
    if (modelType === 'gpt2') return loadGpt2();
    const architecture = ENCODER_ARCHITECTURES[modelType];
    if (architecture === undefined) {
      throw new TrlError(
        'unsupported-model-type',
        `${configPath}: model_type "${modelType}" has no sequence classifier in @trl/models; ` +
          `supported: ${SEQUENCE_CLASSIFIER_MODEL_TYPES.join(', ')}.`,
      );
    }
    return loadEncoderClassifier(architecture, pathOrRepoId, config, options);
  },

  /**
   * A randomly initialised encoder classifier of `config` (a config.json object; `model_type` picks
   * BERT, DistilBERT or RoBERTa), as transformers' `from_config` builds one. Train it, then
   * `savePretrained` writes a folder `fromPretrained` loads.
   */
  fromConfig(
    config: Readonly<Record<string, unknown>>,
    options: CreateEncoderClassifierOptions = {},
  ): EncoderForSequenceClassification {
    const modelType = config['model_type'];
    const architecture = typeof modelType === 'string' ? ENCODER_ARCHITECTURES[modelType] : undefined;
    if (architecture === undefined) {
      throw new TrlConfigError(
        'config',
        [
          {
            code: 'invalid-value',
            field: 'model_type',
            message: `must be one of ${Object.keys(ENCODER_ARCHITECTURES).join(', ')}, got ${JSON.stringify(modelType)}`,
          },
        ],
        'config',
      );
    }
    return createEncoderClassifier(architecture, config, options);
  },
};
