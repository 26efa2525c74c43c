import {
  type GenerationOptions,
  type GenerationResult,
  linear,
  type NamedVariable,
  parseOptions,
  Rng,
  type Seq2SeqLM,
  type Seq2SeqLMInput,
  type Seq2SeqValueHeadModel,
  type Seq2SeqValueHeadOutput,
  SPECIFICATION_VERSION,
  TrlError,
  tf,
} from '@trl/core';
import type { CheckpointTensor } from '../checkpoint/load';
import { V_HEAD_KEYS, type ValueHeadOptions, valueHeadOptionsSchema } from './value-head';

/** An encoder-decoder a value head can sit on: it saves extra tensors beside its own. */
export interface Seq2SeqHeadBackbone extends Seq2SeqLM {
  /** Writes the model with `extra` tensors in the same safetensors file. */
  saveWithHead(dir: string, extra: ReadonlyMap<string, tf.Tensor>): Promise<void>;
}

/**
 * TRL's `AutoModelForSeq2SeqLMWithValueHead`: an encoder-decoder with a scalar value head on the
 * decoder's last hidden state, `values = Linear(hidden, 1)(dropout(h))` per decoder position. The
 * head is saved as `v_head.summary.weight` / `.bias` beside the model's weights, as TRL saves it.
 */
export class Seq2SeqWithValueHead<Backbone extends Seq2SeqHeadBackbone = Seq2SeqHeadBackbone>
  implements Seq2SeqValueHeadModel
{
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** The encoder-decoder under the head (owned by this model). */
  readonly backbone: Backbone;
  /** Head weight `[1, hidden]` (torch Linear layout). */
  readonly headWeight: tf.Variable;
  /** Head bias `[1]`. */
  readonly headBias: tf.Variable;
  private readonly dropoutRate: number;
  private readonly rng: Rng;

  /**
   * Puts a head on `backbone`. `checkpoint` supplies saved `v_head.summary.*` weights; otherwise
   * the head starts as TRL's does (`vHeadInitStrategy`).
   */
  constructor(
    backbone: Backbone,
    options: ValueHeadOptions = {},
    checkpoint?: ReadonlyMap<string, CheckpointTensor>,
  ) {
    const settings = parseOptions('Seq2SeqWithValueHead', valueHeadOptionsSchema, options);
    this.backbone = backbone;
    this.dropoutRate = settings.summaryDropoutProb;
    this.rng = new Rng(settings.seed);
    const hidden = backbone.info.hiddenSize;
    const weight = checkpoint?.get(V_HEAD_KEYS.weight);
    const bias = checkpoint?.get(V_HEAD_KEYS.bias);
    if (weight || bias) {
      if (!weight || !bias || weight.values.length !== hidden || bias.values.length !== 1) {
        throw new TrlError(
          'invalid-checkpoint',
          `The value head needs v_head.summary.weight [1, ${hidden}] and v_head.summary.bias [1]; ` +
            `got ${weight ? `[${weight.shape.join(', ')}]` : 'no weight'} and ${bias ? `[${bias.shape.join(', ')}]` : 'no bias'}.`,
        );
      }
      this.headWeight = tf.tidy(() => tf.variable(tf.tensor2d(weight.values, [1, hidden])));
      this.headBias = tf.tidy(() => tf.variable(tf.tensor1d(bias.values)));
    } else if (settings.vHeadInitStrategy === 'normal') {
      const std = settings.vHeadInitializerRange;
      this.headWeight = tf.tidy(() =>
        tf.variable(tf.randomNormal([1, hidden], 0, std, 'float32', this.rng.nextSeed())),
      );
      this.headBias = tf.tidy(() => tf.variable(tf.zeros([1])));
    } else {
      // torch's Linear init, as TRL's default.
      const bound = 1 / Math.sqrt(hidden);
      this.headWeight = tf.tidy(() =>
        tf.variable(tf.randomUniform([1, hidden], -bound, bound, 'float32', this.rng.nextSeed())),
      );
      this.headBias = tf.tidy(() =>
        tf.variable(tf.randomUniform([1], -bound, bound, 'float32', this.rng.nextSeed())),
      );
    }
  }

  /** Architecture facts of the encoder-decoder (with `decoderStartTokenId`). */
  get info() {
    return this.backbone.info;
  }

  /** Logits and one value per decoder position. */
  forward(input: Seq2SeqLMInput): Seq2SeqValueHeadOutput {
    return tf.tidy(() => {
      const out = this.backbone.forward({ ...input, outputHiddenStates: true });
      const hidden = out.decoderHiddenStates!;
      const [batch, seq, width] = hidden.shape;
      let flat = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D;
      if (input.training && this.dropoutRate > 0) {
        flat = tf.dropout(
          flat,
          this.dropoutRate,
          undefined,
          (input.dropoutRng ?? this.rng).nextSeed(),
        ) as tf.Tensor2D;
      }
      const values = tf.reshape(
        linear(flat, tf.transpose(this.headWeight) as tf.Tensor2D, this.headBias as tf.Tensor1D),
        [batch, seq],
      ) as tf.Tensor2D;
      return input.outputHiddenStates
        ? { logits: out.logits, decoderHiddenStates: hidden, values }
        : { logits: out.logits, values };
    });
  }

  /** Generation with the encoder-decoder (the head plays no part). */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]> {
    return this.backbone.generate(prompts, options);
  }

  /** The encoder-decoder's trainable variables plus the head. */
  trainableVariables(): NamedVariable[] {
    return [
      ...this.backbone.trainableVariables(),
      { name: V_HEAD_KEYS.weight, variable: this.headWeight, decay: true },
      { name: V_HEAD_KEYS.bias, variable: this.headBias, decay: false },
    ];
  }

  /** Writes the model with `v_head.summary.*` in the same model.safetensors, as TRL does. */
  savePretrained(dir: string): Promise<void> {
    return this.backbone.saveWithHead(
      dir,
      new Map([
        [V_HEAD_KEYS.weight, this.headWeight],
        [V_HEAD_KEYS.bias, this.headBias],
      ]),
    );
  }

  /** Frees the head and the encoder-decoder. */
  dispose(): void {
    this.headWeight.dispose();
    this.headBias.dispose();
    this.backbone.dispose();
  }
}
