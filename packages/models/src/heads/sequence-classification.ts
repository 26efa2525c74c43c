import {
  type CausalLMInput,
  linear,
  type NamedVariable,
  Rng,
  type SequenceClassifier,
  type SequenceClassifierOutput,
  SPECIFICATION_VERSION,
  TrlError,
  tf,
} from '@trl/core';
import type { CheckpointTensor } from '../checkpoint/load';
import { prepareInput } from '../gpt2/input';
import type { Gpt2LMHeadModel } from '../gpt2/model';
import type { HeadBackbone } from './backbone';

/** Checkpoint key of the classification head (no bias, as transformers' GPT2ForSequenceClassification). */
export const SCORE_KEY = 'score.weight';

/**
 * A language model with a linear head on the last real token of each row (transformers'
 * `GPT2ForSequenceClassification`, `LlamaForSequenceClassification`, …); with one label it is a
 * reward model. Any {@link HeadBackbone} works; the name is kept from when GPT-2 was the only one.
 */
export class Gpt2ForSequenceClassification<Backbone extends HeadBackbone = Gpt2LMHeadModel>
  implements SequenceClassifier
{
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** Outputs per sequence. */
  readonly numLabels: number;
  /** The transformer (its LM head is unused). */
  readonly backbone: Backbone;
  /** Head weight in torch layout `[numLabels, hidden]`. */
  readonly score: tf.Variable<tf.Rank.R2>;

  /**
   * Puts a head with `numLabels` outputs on `backbone` (owned from now on). Saved head weights come
   * from `checkpoint`; otherwise normal(0, initializer_range) seeded with `seed`.
   */
  constructor(
    backbone: Backbone,
    numLabels: number,
    checkpoint?: ReadonlyMap<string, CheckpointTensor>,
    seed = 0,
  ) {
    if (!Number.isInteger(numLabels) || numLabels < 1)
      throw new TrlError('invalid-argument', `numLabels must be an integer ≥ 1, got ${numLabels}.`);
    this.backbone = backbone;
    this.numLabels = numLabels;
    const hidden = backbone.info.hiddenSize;
    const saved = checkpoint?.get(SCORE_KEY);
    if (saved) {
      if (saved.shape.length !== 2 || saved.shape[0] !== numLabels || saved.shape[1] !== hidden) {
        throw new TrlError(
          'invalid-checkpoint',
          `${SCORE_KEY} has shape [${saved.shape.join(', ')}] but numLabels ${numLabels} and hidden size ${hidden} ` +
            `need [${numLabels}, ${hidden}].`,
        );
      }
      this.score = tf.tidy(() => tf.variable(tf.tensor2d(saved.values, [numLabels, hidden])));
    } else {
      const std = backbone.initializerRange;
      this.score = tf.tidy(
        () =>
          tf.variable(
            tf.randomNormal([numLabels, hidden], 0, std, 'float32', new Rng(seed).nextSeed()),
          ) as tf.Variable<tf.Rank.R2>,
      );
    }
  }

  /** Architecture facts of the backbone. */
  get info() {
    return this.backbone.info;
  }

  /**
   * Scores `[batch, numLabels]` from the hidden state of each row's last real token: the last 1 in
   * `attentionMask`, or, without a mask, the last token that is not `pad_token_id` (the last token
   * when the config has no pad id), as transformers pools.
   */
  forward(input: Omit<CausalLMInput, 'outputHiddenStates'>): SequenceClassifierOutput {
    return tf.tidy(() => {
      const prepared = prepareInput(input, this.backbone.inputLimits);
      const { hidden } = this.backbone.transformer({
        ...prepared,
        training: input.training ?? false,
        embeddingNoise: input.embeddingNoise,
        dropoutRng: input.dropoutRng,
      });
      const [batch, seq] = hidden.shape;
      const last = lastRealToken(input, batch, seq, this.backbone.padTokenId);
      const pick = tf.expandDims(tf.oneHot(tf.tensor1d(last, 'int32'), seq), 2);
      const pooled = tf.sum(tf.mul(hidden, pick), 1) as tf.Tensor2D;
      return { logits: linear(pooled, tf.transpose(this.score)) as tf.Tensor2D };
    });
  }

  /** The backbone's trainable variables plus the head. */
  trainableVariables(): NamedVariable[] {
    return [...this.backbone.trainableVariables(), { name: SCORE_KEY, variable: this.score, decay: true }];
  }

  /** Writes the backbone's weights (no LM head) and `score.weight` with a `…ForSequenceClassification` config. */
  async savePretrained(dir: string): Promise<void> {
    const labels = Array.from({ length: this.numLabels }, (_, i) => `LABEL_${i}`);
    const config = {
      architectures: [`${this.backbone.architecturePrefix}ForSequenceClassification`],
      id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    };
    await this.backbone.saveWithHead(dir, new Map([[SCORE_KEY, this.score]]), { config, dropLmHead: true });
  }

  /** Frees the head and the backbone. */
  dispose(): void {
    this.score.dispose();
    this.backbone.dispose();
  }
}

/** Index of each row's last real token. */
function lastRealToken(
  input: Omit<CausalLMInput, 'outputHiddenStates'>,
  batch: number,
  seq: number,
  padTokenId: number | undefined,
): Int32Array {
  const last = new Int32Array(batch).fill(seq - 1);
  const source = input.attentionMask
    ? input.attentionMask.dataSync()
    : padTokenId !== undefined
      ? input.inputIds.dataSync()
      : undefined;
  if (!source) return last;
  const isReal = input.attentionMask ? (v: number) => v !== 0 : (v: number) => v !== padTokenId;
  for (let b = 0; b < batch; b++) {
    let t = seq - 1;
    while (t > 0 && !isReal(source[b * seq + t]!)) t--;
    last[b] = t;
  }
  return last;
}
