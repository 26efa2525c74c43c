import { type SequenceClassifier, type Tokenizer, TrlError, tf } from '@trl/core';
import type { NamedRewardFunc } from './rewards';

/**
 * Wraps a one-label `SequenceClassifier` reward model as a reward function, as TRL does with a model in
 * `reward_funcs`: each `prompt + completion` text is re-tokenized with the reward model's tokenizer
 * (no special tokens added), right-padded, and the score is `logits[:, 0]`. Runs without gradients.
 */
export function rewardModelFunc(
  model: SequenceClassifier,
  tokenizer: Tokenizer,
  name = 'reward_model',
): NamedRewardFunc {
  if (model.numLabels !== 1) {
    throw new TrlError(
      'invalid-argument',
      `rewardModelFunc: the reward model has ${model.numLabels} labels; a reward model needs exactly 1.`,
    );
  }
  const pad = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
  return {
    name,
    func: ({ prompts, completions }) => {
      const rows = prompts.map((prompt, i) =>
        tokenizer.encode(prompt + completions[i], { addSpecialTokens: false }),
      );
      const length = Math.max(1, ...rows.map((row) => row.length));
      const ids = rows.map((row) => [...row, ...new Array<number>(length - row.length).fill(pad)]);
      const mask = rows.map((row) => [
        ...row.map(() => 1),
        ...new Array<number>(length - row.length).fill(0),
      ]);
      const scores = tf.tidy(() => {
        const { logits } = model.forward({
          inputIds: tf.tensor2d(ids, [rows.length, length], 'int32'),
          attentionMask: tf.tensor2d(mask, [rows.length, length], 'int32'),
          training: false,
        });
        return tf.squeeze(tf.slice(logits, [0, 0], [rows.length, 1]), [1]);
      });
      const values = Array.from(scores.dataSync());
      scores.dispose();
      return values;
    },
  };
}
