import {
  type GenerationOptions,
  type GenerationResult,
  type NamedVariable,
  parseOptions,
  Rng,
  type SeedSource,
  type Seq2SeqLM,
  type Seq2SeqLMInput,
  type Seq2SeqValueHeadModel,
  type Seq2SeqValueHeadOutput,
  SPECIFICATION_VERSION,
  tf,
} from '@trl/core';
import type { CheckpointTensor } from '../checkpoint/load';
import { type ValueHeadOptions, valueHeadOptionsSchema } from './value-head';
import {
  createValueHeadVariables,
  type HeadDropout,
  V_HEAD_KEYS,
  type ValueHeadVariables,
  valuesFromHidden,
} from './value-head-layer';

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
  private readonly head: ValueHeadVariables;
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
    const head = createValueHeadVariables(backbone.info.hiddenSize, settings, this.rng, checkpoint);
    this.head = head;
    this.headWeight = head.weight;
    this.headBias = head.bias;
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
      const values = valuesFromHidden(hidden, this.head, this.dropout(input));
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

  /** The head's dropout for one forward: on in training, with the caller's rng when given. */
  private dropout(input: { training?: boolean; dropoutRng?: SeedSource }): HeadDropout {
    return { training: input.training === true, rate: this.dropoutRate, rng: input.dropoutRng ?? this.rng };
  }

  /** Frees the head and the encoder-decoder. */
  dispose(): void {
    this.headWeight.dispose();
    this.headBias.dispose();
    this.backbone.dispose();
  }
}
