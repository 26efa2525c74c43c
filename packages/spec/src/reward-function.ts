/**
 * Scores a batch of samples (texts, histories, …) with one number each, higher is better.
 * May be asynchronous (a reward model served elsewhere, a sandboxed check).
 *
 * @typeParam Sample - what is scored, e.g. a string or a TextHistory.
 * @typeParam Kwargs - extra per-batch arguments, e.g. the expected answers.
 */
export type RewardFunction<Sample, Kwargs = Record<string, unknown>> = (
  samples: readonly Sample[],
  kwargs: Kwargs,
) => number[] | Promise<number[]>;
