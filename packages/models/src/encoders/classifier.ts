import {
  type CausalLMInfo,
  type CausalLMInput,
  type NamedVariable,
  Rng,
  type SequenceClassifier,
  type SequenceClassifierOutput,
  SPECIFICATION_VERSION,
  TrlError,
  tf,
} from '@trl/core';
import { writePretrainedFiles } from '../checkpoint/save';
import type { EncoderArchitecture } from './architecture';
import type { EncoderConfig } from './config';
import { encoderLayer, keyPaddingBias, type PassContext } from './layers';

/** Input of an encoder classifier: the spec's input plus BERT's segment ids. All int32 `[batch, seq]`. */
export interface EncoderClassifierInput extends Omit<CausalLMInput, 'outputHiddenStates'> {
  /** Segment ids (0 for the first text of a pair, 1 for the second); default all 0. Not for DistilBERT. */
  tokenTypeIds?: tf.Tensor2D;
}

/** How an encoder classifier is assembled (see `AutoSequenceClassifier.fromPretrained` to load one). */
export interface EncoderClassifierParts {
  /** The architecture (BERT, DistilBERT, RoBERTa). */
  readonly architecture: EncoderArchitecture;
  /** The validated config. */
  readonly config: EncoderConfig;
  /** Every backbone and head weight by checkpoint key; the model owns them from now on. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** Number of scores per sequence. */
  readonly numLabels: number;
  /** Label names by id; default `LABEL_0`... */
  readonly id2label?: readonly string[];
  /** Seed of the dropout masks of training passes without a `dropoutRng`. Default 0. */
  readonly seed?: number;
}

/**
 * An encoder with a sequence classification head (transformers' `BertForSequenceClassification`,
 * `DistilBertForSequenceClassification`, `RobertaForSequenceClassification`): bidirectional
 * attention over the real tokens, logits from the first token. Weights are tfjs variables named by
 * their checkpoint keys, in torch layout.
 */
export class EncoderForSequenceClassification implements SequenceClassifier {
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** Architecture facts. */
  readonly info: CausalLMInfo;
  /** Outputs per sequence. */
  readonly numLabels: number;
  /** Label names by id. */
  readonly id2label: readonly string[];
  /** Ids by label name. */
  readonly label2id: Readonly<Record<string, number>>;
  /** The validated config. */
  readonly config: EncoderConfig;
  /** The architecture. */
  readonly architecture: EncoderArchitecture;
  /** The weights by checkpoint key. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  private readonly dropoutRng: Rng;
  private disposed = false;

  /** Takes ownership of `parts.weights`. */
  constructor(parts: EncoderClassifierParts) {
    this.architecture = parts.architecture;
    this.config = parts.config;
    this.weights = parts.weights;
    this.numLabels = parts.numLabels;
    this.id2label =
      parts.id2label?.length === parts.numLabels
        ? [...parts.id2label]
        : Array.from({ length: parts.numLabels }, (_, i) => `LABEL_${i}`);
    this.label2id = Object.fromEntries(this.id2label.map((label, id) => [label, id]));
    this.dropoutRng = new Rng(parts.seed ?? 0);
    const raw = parts.config.raw;
    this.info = {
      modelType: parts.architecture.modelType,
      vocabSize: parts.config.vocabSize,
      maxPositions: parts.config.maxPositions - firstPosition(parts.architecture, parts.config),
      hiddenSize: parts.config.hiddenSize,
      ...optionalId('eosTokenId', raw['eos_token_id'], parts.config.vocabSize),
      ...optionalId('bosTokenId', raw['bos_token_id'], parts.config.vocabSize),
    };
  }

  /**
   * Logits `[batch, numLabels]`. Padding (0 in `attentionMask`, default all real) is never attended
   * to. Pad on the right, as BERT tokenizers do: the head reads position 0 (`[CLS]`, `<s>`) as
   * transformers does, so a left-padded row would be scored from a padding token.
   */
  forward(input: EncoderClassifierInput): SequenceClassifierOutput {
    this.assertAlive();
    this.checkInput(input);
    return tf.tidy(() => {
      const training = input.training ?? false;
      const context: PassContext = {
        weights: this.weights,
        config: this.config,
        rng: training ? (input.dropoutRng ?? this.dropoutRng) : undefined,
      };
      const mask = input.attentionMask ?? tf.onesLike(input.inputIds);
      const keyBias = keyPaddingBias(mask);
      let hidden = this.architecture.embed(context, input);
      for (let layer = 0; layer < this.config.numLayers; layer++) {
        hidden = encoderLayer(context, this.architecture.layerKeys(layer), hidden, keyBias);
      }
      return { logits: this.architecture.classify(context, hidden) };
    });
  }

  /** Every weight; biases and LayerNorm weights get no weight decay. */
  trainableVariables(): NamedVariable[] {
    return [...this.weights].map(([name, variable]) => ({ name, variable, decay: isDecayed(name) }));
  }

  /** Writes config.json (with `architectures`, `id2label`, `label2id`) and model.safetensors. */
  async savePretrained(dir: string): Promise<void> {
    this.assertAlive();
    const config = {
      ...this.config.raw,
      architectures: [this.architecture.className],
      model_type: this.architecture.modelType,
      id2label: Object.fromEntries(this.id2label.map((label, id) => [String(id), label])),
      label2id: { ...this.label2id },
    };
    delete (config as Record<string, unknown>)['num_labels'];
    await writePretrainedFiles(dir, config, this.weights);
  }

  /** Frees every weight. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.weights.values()) variable.dispose();
  }

  private checkInput(input: EncoderClassifierInput): void {
    const { inputIds } = input;
    if (!(inputIds instanceof tf.Tensor) || inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw new TrlError('invalid-argument', 'forward: inputIds must be an int32 tensor [batch, seq].');
    }
    for (const [name, tensor] of [
      ['attentionMask', input.attentionMask],
      ['tokenTypeIds', input.tokenTypeIds],
      ['positionIds', input.positionIds],
    ] as const) {
      if (tensor === undefined) continue;
      if (
        tensor.rank !== 2 ||
        tensor.shape[0] !== inputIds.shape[0] ||
        tensor.shape[1] !== inputIds.shape[1]
      ) {
        throw new TrlError(
          'invalid-argument',
          `forward: ${name} must have inputIds' shape [${inputIds.shape.join(', ')}], got [${tensor.shape.join(', ')}].`,
        );
      }
    }
    const seq = inputIds.shape[1];
    if (input.positionIds === undefined && seq > this.info.maxPositions) {
      throw new TrlError(
        'invalid-argument',
        `forward: ${seq} tokens do not fit this ${this.architecture.modelType}'s ${this.info.maxPositions} positions; truncate the input.`,
      );
    }
    if (input.training && input.embeddingNoise) {
      throw new TrlError(
        'unsupported-option',
        'forward: embeddingNoise (NEFTune) is not implemented for encoder classifiers.',
      );
    }
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error(`This ${this.architecture.className} was disposed; load a new one.`);
  }
}

/** RoBERTa's positions start after the pad id, so fewer than max_position_embeddings tokens fit. */
function firstPosition(architecture: EncoderArchitecture, config: EncoderConfig): number {
  return architecture.modelType === 'roberta' ? (config.padTokenId ?? 1) + 1 : 0;
}

/** transformers' Trainer convention: biases and LayerNorm weights get no weight decay. */
function isDecayed(key: string): boolean {
  return !(key.endsWith('.bias') || /(LayerNorm|layer_norm)\.weight$/.test(key));
}

/** A special id from the config, left out when unset or outside the vocabulary. */
function optionalId<K extends string>(key: K, id: unknown, vocabSize: number): { [P in K]?: number } {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < vocabSize
    ? ({ [key]: id } as { [P in K]?: number })
    : {};
}
