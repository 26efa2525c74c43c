import { TrlError } from '@trl/core';

/** What a reward function receives (TRL `reward_funcs` keyword arguments). */
export interface RewardFuncArgs {
  /** The prompt of each completion, decoded. */
  prompts: string[];
  /** Each completion, decoded. */
  completions: string[];
  /** Each completion's token ids. */
  completionIds: number[][];
  /** Dataset columns and rollout extras, one entry per completion. */
  [column: string]: unknown;
}

/** A reward function: one score per completion, `null` for "not applicable" (becomes NaN, as in TRL). */
export type RewardFunc = (args: RewardFuncArgs) => (number | null)[] | Promise<(number | null)[]>;

/** A reward function with the name its metrics are logged under (`rewards/<name>/mean`). */
export interface NamedRewardFunc {
  /** Metric name. */
  name: string;
  /** The function. */
  func: RewardFunc;
}

/** Gives every reward function a name: its own, or `reward_<index>` for anonymous ones. */
export function nameRewardFuncs(funcs: readonly (RewardFunc | NamedRewardFunc)[]): NamedRewardFunc[] {
  if (!Array.isArray(funcs) || funcs.length === 0) {
    throw new TrlError(
      'invalid-argument',
      'GRPOTrainer: `rewardFuncs` must be a non-empty array of functions.',
    );
  }
  return funcs.map((entry, index) => {
    if (typeof entry === 'function') return { name: entry.name || `reward_${index}`, func: entry };
    if (entry && typeof entry.func === 'function' && typeof entry.name === 'string') return entry;
    throw new TrlError(
      'invalid-argument',
      `GRPOTrainer: \`rewardFuncs[${index}]\` must be a function or { name, func }.`,
    );
  });
}

/** Runs every reward function; returns the row-major `[completions, funcs]` scores (NaN for null). */
export async function scoreCompletions(
  funcs: readonly NamedRewardFunc[],
  args: RewardFuncArgs,
): Promise<Float32Array> {
  const rows = args.completions.length;
  const scores = new Float32Array(rows * funcs.length);
  for (const [k, { name, func }] of funcs.entries()) {
    const out = await func(args);
    if (!Array.isArray(out) || out.length !== rows) {
      throw new TrlError(
        'invalid-value',
        `GRPOTrainer: reward function "${name}" returned ${Array.isArray(out) ? `${out.length} scores` : String(out)}; ` +
          `it must return one number (or null) per completion (${rows}).`,
      );
    }
    out.forEach((score, row) => {
      if (score !== null && typeof score !== 'number') {
        throw new TrlError(
          'invalid-value',
          `GRPOTrainer: reward function "${name}" gave ${String(score)} for completion ${row}; use a number or null.`,
        );
      }
      scores[row * funcs.length + k] = score === null ? Number.NaN : score;
    });
  }
  return scores;
}
