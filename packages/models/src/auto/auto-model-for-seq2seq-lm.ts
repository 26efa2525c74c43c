import { TrlConfigError, TrlError } from '@trl/core';
import { readJsonFile } from '../checkpoint/json-file';
import { Seq2SeqWithValueHead } from '../heads/seq2seq-value-head';
import type { ValueHeadOptions } from '../heads/value-head';
import { resolveModelFile } from '../hub/index';
import { createT5, loadT5, type T5Options } from '../t5/load';
import type { T5ForConditionalGeneration } from '../t5/model';

/** The encoder-decoder `model_type`s {@link AutoModelForSeq2SeqLM} loads. */
export const SEQ2SEQ_MODEL_TYPES = ['t5'] as const;

async function readConfig(pathOrRepoId: string, options: T5Options): Promise<Record<string, unknown>> {
  const path = await resolveModelFile(pathOrRepoId, 'config.json', options);
  const raw = await readJsonFile(path!);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrlError('invalid-value', `${path} must hold a JSON object, got ${JSON.stringify(raw)}.`);
  }
  checkModelType(raw as Record<string, unknown>, path!);
  return raw as Record<string, unknown>;
}

function checkModelType(config: Readonly<Record<string, unknown>>, source: string): void {
  const modelType = config['model_type'];
  if (typeof modelType !== 'string') {
    throw new TrlConfigError(
      source,
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
  if (!(SEQ2SEQ_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new TrlError(
      'unsupported-model-type',
      `${source}: model_type "${modelType}" has no encoder-decoder in @trl/models; supported: ${SEQ2SEQ_MODEL_TYPES.join(', ')} ` +
        '(decoder-only models load with AutoModelForCausalLM).',
    );
  }
}

/** transformers' `AutoModelForSeq2SeqLM`: `config.json`'s `model_type` picks the architecture (T5). */
export const AutoModelForSeq2SeqLM = {
  /** Loads a folder or hub repo saved by transformers' `save_pretrained` (safetensors). */
  async fromPretrained(pathOrRepoId: string, options: T5Options = {}): Promise<T5ForConditionalGeneration> {
    const config = await readConfig(pathOrRepoId, options);
    return (await loadT5(pathOrRepoId, config, options)).model;
  },

  /** A randomly initialised model of `config` (a config.json object), as transformers' `from_config`. */
  fromConfig(
    config: Readonly<Record<string, unknown>>,
    options: Pick<T5Options, 'seed'> = {},
  ): T5ForConditionalGeneration {
    checkModelType(config, 'config');
    return createT5(config, options);
  },
};

/** Options of {@link AutoModelForSeq2SeqLMWithValueHead.fromPretrained}. */
export interface Seq2SeqValueHeadLoadOptions extends T5Options {
  /** Value-head settings (TRL's `summary_dropout_prob`, init strategy, seed). */
  valueHead?: ValueHeadOptions;
}

/**
 * TRL's `AutoModelForSeq2SeqLMWithValueHead`: the encoder-decoder plus a value head, read from
 * `v_head.summary.*` in the same safetensors file when TRL saved one, else freshly initialised.
 */
export const AutoModelForSeq2SeqLMWithValueHead = {
  /** Loads the encoder-decoder and its value head. */
  async fromPretrained(
    pathOrRepoId: string,
    options: Seq2SeqValueHeadLoadOptions = {},
  ): Promise<Seq2SeqWithValueHead<T5ForConditionalGeneration>> {
    const { valueHead, ...loadOptions } = options;
    const config = await readConfig(pathOrRepoId, loadOptions);
    const { model, extra } = await loadT5(pathOrRepoId, config, loadOptions);
    try {
      return new Seq2SeqWithValueHead(model, valueHead, extra);
    } catch (error) {
      model.dispose();
      throw error;
    }
  },
};
