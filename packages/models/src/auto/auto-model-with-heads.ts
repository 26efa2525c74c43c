import { Gpt2ForSequenceClassification } from '../heads/sequence-classification';
import { Gpt2WithValueHead, type ValueHeadOptions } from '../heads/value-head';
import { type CausalLMFromPretrainedOptions, loadGpt2Model } from './auto-model-for-causal-lm';

/**
 * TRL's `AutoModelForCausalLMWithValueHead`: a causal LM plus a scalar value head, loaded from a
 * plain causal-LM checkpoint (new head) or one saved with its head (`v_head.summary.*`).
 */
export const AutoModelForCausalLMWithValueHead = {
  /** Loads the language model and its head (or initialises the head per `options`). */
  async fromPretrained(
    pathOrRepoId: string,
    options: CausalLMFromPretrainedOptions & ValueHeadOptions = {},
  ): Promise<Gpt2WithValueHead> {
    const { revision, cacheDir, endpoint, token, ...head } = options;
    const { model, extra } = await loadGpt2Model(pathOrRepoId, {
      revision,
      cacheDir,
      endpoint,
      token,
      seed: options.seed,
    });
    try {
      return new Gpt2WithValueHead(model, head, extra);
    } catch (error) {
      model.dispose();
      throw error;
    }
  },
};

/** Options for {@link AutoModelForSequenceClassification.fromPretrained}. */
export interface SequenceClassificationOptions extends CausalLMFromPretrainedOptions {
  /** Number of scores; default the checkpoint's `id2label` size when it has a head, else 1 (reward model). */
  numLabels?: number;
}

/**
 * transformers' `AutoModelForSequenceClassification` for GPT-2: loads a classifier checkpoint, or a
 * causal-LM checkpoint with a freshly initialised `score` head.
 */
export const AutoModelForSequenceClassification = {
  /** Loads the backbone and the head. */
  async fromPretrained(
    pathOrRepoId: string,
    options: SequenceClassificationOptions = {},
  ): Promise<Gpt2ForSequenceClassification> {
    const { model, extra } = await loadGpt2Model(pathOrRepoId, options);
    try {
      const saved = extra.get('score.weight');
      const numLabels = options.numLabels ?? saved?.shape[0] ?? labelCount(model.config['id2label']) ?? 1;
      return new Gpt2ForSequenceClassification(model, numLabels, extra, options.seed ?? 0);
    } catch (error) {
      model.dispose();
      throw error;
    }
  },
};

function labelCount(id2label: unknown): number | undefined {
  return id2label && typeof id2label === 'object' ? Object.keys(id2label).length : undefined;
}
