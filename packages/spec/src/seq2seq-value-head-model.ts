import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Seq2SeqLM, Seq2SeqLMInput, Seq2SeqLMOutput } from './seq2seq-lm';

/** Output of an encoder-decoder value-head forward pass. */
export interface Seq2SeqValueHeadOutput extends Seq2SeqLMOutput {
  /** One value estimate per decoder position, float32 `[batch, tgtLen]`. */
  values: Tensor2D;
}

/**
 * An encoder-decoder with a scalar value head on the decoder's last hidden state, as TRL's
 * `AutoModelForSeq2SeqLMWithValueHead`. PPO sends queries to the encoder and scores the decoder's
 * response tokens.
 */
export interface Seq2SeqValueHeadModel extends Omit<Seq2SeqLM, 'forward'> {
  /** The encoder-decoder under the head, sharing its weights (TRL's `pretrained_model`). */
  readonly backbone: Seq2SeqLM;
  /** Teacher-forced forward pass returning logits and per-decoder-position values. */
  forward(input: Seq2SeqLMInput): Seq2SeqValueHeadOutput;
}
