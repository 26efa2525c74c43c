import {
  type CausalLMInput,
  type GenerationOptions,
  type GenerationResult,
  linear,
  type NamedVariable,
  parseOptions,
  Rng,
  SPECIFICATION_VERSION,
  TrlError,
  tf,
  type ValueHeadModel,
  type ValueHeadOutput,
} from '@trl/core';
import { z } from 'zod';
import type { CheckpointTensor } from '../checkpoint/load';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import type { HeadBackbone } from './backbone';

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

/** Checkpoint keys of the head, as TRL saves them beside the base weights. */
export const V_HEAD_KEYS = { weight: 'v_head.summary.weight', bias: 'v_head.summary.bias' } as const;

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
    const hidden = backbone.info.hiddenSize;
    const saved = headFromCheckpoint(checkpoint, hidden);
    if (saved) {
      this.headWeight = tf.tidy(() => tf.variable(tf.tensor2d(saved.weight, [1, hidden])));
      this.headBias = tf.tidy(() => tf.variable(tf.tensor1d(saved.bias)));
    } else if (settings.vHeadInitStrategy === 'normal') {
      this.headWeight = tf.tidy(() =>
        tf.variable(
          tf.randomNormal([1, hidden], 0, settings.vHeadInitializerRange, 'float32', this.rng.nextSeed()),
        ),
      );
      this.headBias = tf.tidy(() => tf.variable(tf.zeros([1])));
    } else {
      const bound = 1 / Math.sqrt(hidden);
      this.headWeight = tf.tidy(() =>
        tf.variable(tf.randomUniform([1, hidden], -bound, bound, 'float32', this.rng.nextSeed())),
      );
      this.headBias = tf.tidy(() =>
        tf.variable(tf.randomUniform([1], -bound, bound, 'float32', this.rng.nextSeed())),
      );
    }
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
      const [batch, seq, width] = hidden.shape;
      let flat = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D;
      if (input.training && this.dropoutRate > 0)
        flat = tf.dropout(
          flat,
          this.dropoutRate,
          undefined,
          (input.dropoutRng ?? this.rng).nextSeed(),
        ) as tf.Tensor2D;
      const values = tf.reshape(
        linear(flat, tf.transpose(this.headWeight) as tf.Tensor2D, this.headBias as tf.Tensor1D),
        [batch, seq],
      ) as tf.Tensor2D;
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

  /** Frees the head and the language model. */
  dispose(): void {
    this.headWeight.dispose();
    this.headBias.dispose();
    this.backbone.dispose();
  }
}

function headFromCheckpoint(
  checkpoint: ReadonlyMap<string, CheckpointTensor> | undefined,
  hidden: number,
): { weight: Float32Array; bias: Float32Array } | undefined {
  const weight = checkpoint?.get(V_HEAD_KEYS.weight);
  const bias = checkpoint?.get(V_HEAD_KEYS.bias);
  if (!weight && !bias) return undefined;
  if (!weight || !bias)
    throw new TrlError(
      'invalid-checkpoint',
      'The checkpoint has only one of v_head.summary.weight and v_head.summary.bias.',
    );
  if (weight.values.length !== hidden || bias.values.length !== 1) {
    throw new TrlError(
      'invalid-checkpoint',
      `v_head.summary.weight has shape [${weight.shape.join(', ')}] and bias [${bias.shape.join(', ')}]; ` +
        `expected [1, ${hidden}] and [1] for this model's hidden size.`,
    );
  }
  return { weight: weight.values, bias: bias.values };
}
