import type { CausalLM, tf } from '@trl/core';
import type { InputLimits } from '../gpt2/input';
import type { TransformerInput, TransformerOutput } from '../transformer-io';

/**
 * What the value and classification heads need of the language model under them, whatever its
 * architecture (GPT-2 and the Llama family implement it).
 */
export interface HeadBackbone extends CausalLM {
  /** The decoder body; the heads read its last hidden state. */
  transformer(input: TransformerInput): TransformerOutput;
  /** Vocabulary and context limits for validating inputs. */
  readonly inputLimits: InputLimits;
  /** The config's pad id (classification pools on the last non-pad token without a mask). */
  readonly padTokenId: number | undefined;
  /** The config's `initializer_range` (std of a fresh classification head). */
  readonly initializerRange: number;
  /** transformers' class-name prefix, e.g. `GPT2` or `Qwen2` (`…ForSequenceClassification`). */
  readonly architecturePrefix: string;
  /**
   * Writes the model's checkpoint with `head` tensors added and `config` keys overridden;
   * `dropLmHead` leaves `lm_head.weight` out. Writes the LoRA adapter beside it when there is one.
   */
  saveWithHead(
    dir: string,
    head: ReadonlyMap<string, tf.Tensor>,
    options?: { config?: Record<string, unknown>; dropLmHead?: boolean },
  ): Promise<void>;
}
