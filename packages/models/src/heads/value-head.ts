import {
  type CausalLMInput,
  type GenerationOptions,
  type GenerationResult,
  type NamedVariable,
  parseOptions,
  Rng,
  type SeedSource,
  SPECIFICATION_VERSION,
  tf,
  type ValueHeadModel,
  type ValueHeadOutput,
} from '@trl/core';
import { z } from 'zod';
import type { CheckpointTensor } from '../checkpoint/load';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import type { HeadBackbone } from './backbone';
import {
  createValueHeadVariables,
  type HeadDropout,
  V_HEAD_KEYS,
  type ValueHeadVariables,
  valuesFromHidden,
} from './value-head-layer';

export { V_HEAD_KEYS } from './value-head-layer';

/** TRL's value-head settings (`summary_dropout_prob`, `v_head_init_strategy`, `v_head_initializer_range`). */
export const valueHeadOptionsSchema = z.object({
  /** Dropout on the hidden state before the head, in training mode. */
  summaryDropoutProb: z.number().min(0).max(1).default(0.1),
  /**
   * Init of a new head: `default` is torch's Linear init (uniform ±1/sqrt(hidden) for weight and
   * bias), `normal` draws the weight from normal(0, vHeadInitializerRange) with a zero bias.
   */
  vHeadInitStrategy: z.enum(['default', 'normal']).default('default'),
  /** Standard deviation for the `normal` strategy. */
  vHeadInitializerRange: z.number().positive().default(0.2),
  /** Seed of the head init and its dropout masks. */
  seed: z.number().int().default(0),
});

/** Value-head settings as a caller passes them. */
export type ValueHeadOptions = z.input<typeof valueHeadOptionsSchema>;

/**
 * A causal LM with TRL's scalar value head: `values = Linear(hidden, 1)(dropout(h_last))` at every
 * position. The language model is shared, not copied; PPO trains both together. Any
 * {@link HeadBackbone} works (GPT-2, the Llama family); the name is kept from when GPT-2 was the only one.
 */
export class Gpt2WithValueHead<Backbone extends HeadBackbone = Gpt2LMHeadModel> implements ValueHeadModel {
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** The language model under the head. */
  readonly backbone: Backbone;
  /** Head weight in torch Linear layout `[1, hidden]`. */
  readonly headWeight: tf.Variable;
  /** Head bias `[1]`. */
  readonly headBias: tf.Variable;
  private readonly head: ValueHeadVariables;
  private readonly dropoutRate: number;
  private readonly rng: Rng;

  /**
   * Puts a head on `backbone` (which the new model owns from now on). `checkpoint` supplies
   * saved head weights; otherwise the head is initialised by `options.vHeadInitStrategy`.
   */
  constructor(
    backbone: Backbone,
    options: ValueHeadOptions = {},
    checkpoint?: ReadonlyMap<string, CheckpointTensor>,
  ) {
    const settings = parseOptions('Gpt2WithValueHead', valueHeadOptionsSchema, options);
    this.backbone = backbone;
    this.dropoutRate = settings.summaryDropoutProb;
    this.rng = new Rng(settings.seed);
    const head = createValueHeadVariables(backbone.info.hiddenSize, settings, this.rng, checkpoint);
    this.head = head;
    this.headWeight = head.weight;
    this.headBias = head.bias;
  }

  /** Architecture facts of the language model. */
  get info() {
    return this.backbone.info;
  }

  /** Logits and one value per token. */
  forward(input: CausalLMInput): ValueHeadOutput {
    return tf.tidy(() => {
      const out = this.backbone.forward({ ...input, outputHiddenStates: true });
      const hidden = out.hiddenStates!;
      const values = valuesFromHidden(hidden, this.head, this.dropout(input));
      return input.outputHiddenStates
        ? { logits: out.logits, hiddenStates: hidden, values }
        : { logits: out.logits, values };
    });
  }

  /** Generation with the language model (the head plays no part). */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]> {
    return this.backbone.generate(prompts, options);
  }

  /** The language model's trainable variables plus the head. */
  trainableVariables(): NamedVariable[] {
    return [
      ...this.backbone.trainableVariables(),
      { name: V_HEAD_KEYS.weight, variable: this.headWeight, decay: true },
      { name: V_HEAD_KEYS.bias, variable: this.headBias, decay: false },
    ];
  }

  /** Writes the language model's checkpoint with `v_head.summary.*` in the same safetensors file, as TRL does. */
  async savePretrained(dir: string): Promise<void> {
    const head = new Map([
      [V_HEAD_KEYS.weight, this.headWeight],
      [V_HEAD_KEYS.bias, this.headBias],
    ]);
    await this.backbone.saveWithHead(dir, head);
  }

  /** The head's dropout for one forward: on in training, with the caller's rng when given. */
  private dropout(input: { training?: boolean; dropoutRng?: SeedSource }): HeadDropout {
    return { training: input.training === true, rate: this.dropoutRate, rng: input.dropoutRng ?? this.rng };
  }

  /** Frees the head and the language model. */
  dispose(): void {
    this.headWeight.dispose();
    this.headBias.dispose();
    this.backbone.dispose();
  }
}
