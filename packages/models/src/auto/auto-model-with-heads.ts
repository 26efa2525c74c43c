import type { Gpt2LMHeadModel } from '../gpt2/model';
import { Gpt2ForSequenceClassification } from '../heads/sequence-classification';
import { Gpt2WithValueHead, type ValueHeadOptions } from '../heads/value-head';
import { LlamaForCausalLM } from '../llama/model';
import {
  type CausalLMFromPretrainedOptions,
  loadCausalLM,
  type PretrainedCausalLM,
} from './auto-model-for-causal-lm';

/**
 * TRL's `AutoModelForCausalLMWithValueHead`: a causal LM plus a scalar value head, loaded from a
 * plain causal-LM checkpoint (new head) or one saved with its head (`v_head.summary.*`).
 */
export const AutoModelForCausalLMWithValueHead = {
  /**
   * Loads the language model (any architecture `AutoModelForCausalLM` loads; the type argument names
   * the one expected, GPT-2 by default) and its head, or initialises the head per `options`.
   */
  async fromPretrained<Backbone extends PretrainedCausalLM = Gpt2LMHeadModel>(
    pathOrRepoId: string,
    options: CausalLMFromPretrainedOptions & ValueHeadOptions = {},
  ): Promise<Gpt2WithValueHead<Backbone>> {
    const { revision, cacheDir, endpoint, token, ...head } = options;
    const { model, extra } = await loadCausalLM(pathOrRepoId, {
      revision,
      cacheDir,
      endpoint,
      token,
      seed: options.seed,
    });
    try {
      return new Gpt2WithValueHead(model as Backbone, head, extra);
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
 * transformers' `AutoModelForSequenceClassification` for the architectures `AutoModelForCausalLM`
 * loads: a classifier checkpoint, or a causal-LM checkpoint with a freshly initialised `score` head.
 */
export const AutoModelForSequenceClassification = {
  /** Loads the backbone (the type argument names the architecture expected, GPT-2 by default) and the head. */
  async fromPretrained<Backbone extends PretrainedCausalLM = Gpt2LMHeadModel>(
    pathOrRepoId: string,
    options: SequenceClassificationOptions = {},
  ): Promise<Gpt2ForSequenceClassification<Backbone>> {
    const { model, extra } = await loadCausalLM(pathOrRepoId, options);
    try {
      const saved = extra.get('score.weight');
      const numLabels = options.numLabels ?? saved?.shape[0] ?? labelCount(checkpointLabels(model)) ?? 1;
      return new Gpt2ForSequenceClassification(model as Backbone, numLabels, extra, options.seed ?? 0);
    } catch (error) {
      model.dispose();
      throw error;
    }
  },
};

function labelCount(id2label: unknown): number | undefined {
  return id2label && typeof id2label === 'object' ? Object.keys(id2label).length : undefined;
}

/** The `id2label` of the checkpoint's config, if it has one. */
function checkpointLabels(model: PretrainedCausalLM): unknown {
  return model instanceof LlamaForCausalLM ? model.config.fields['id2label'] : model.config['id2label'];
}
