import { Gpt2ForSequenceClassification } from '@trl/models';
import { tinyGpt2 } from '@trl/test-kit';

export { collectingTracker, tensorCountsOfTwoRounds, tinyTokenizer, useTestBackend } from '@trl/test-kit';

/** A 1-layer, width-32 GPT-2 reward model over the byte-level vocabulary, no dropout. */
export function tinyRewardModel(seed = 0, numLabels = 1): Gpt2ForSequenceClassification {
  return new Gpt2ForSequenceClassification(tinyGpt2(seed, { positions: 32 }), numLabels, undefined, seed);
}
