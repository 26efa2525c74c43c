import type { NamedRewardFunc } from './rewards';

const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

/** TRL's unbiased std; NaN below two values, as torch. */
const std = (values: readonly number[]) => {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1));
};

/** TRL's `completions/*` length metrics. */
export function lengthMetrics(
  completionIds: readonly number[][],
  truncated: readonly boolean[],
): Record<string, number> {
  const lengths = completionIds.map((ids) => ids.length);
  const terminated = lengths.filter((_, row) => !truncated[row]);
  return {
    'completions/mean_length': mean(lengths),
    'completions/min_length': Math.min(...lengths),
    'completions/max_length': Math.max(...lengths),
    'completions/clipped_ratio': truncated.filter(Boolean).length / truncated.length,
    // TRL logs 0 when every completion was cut at the limit.
    'completions/mean_terminated_length': terminated.length === 0 ? 0 : mean(terminated),
    'completions/min_terminated_length': terminated.length === 0 ? 0 : Math.min(...terminated),
    'completions/max_terminated_length': terminated.length === 0 ? 0 : Math.max(...terminated),
  };
}

/** TRL's `rewards/<name>/mean` and `/std`, NaN scores ignored (nanmean / nanstd). */
export function rewardFuncMetrics(
  funcs: readonly NamedRewardFunc[],
  scores: Float32Array,
): Record<string, number> {
  const metrics: Record<string, number> = {};
  const k = funcs.length;
  funcs.forEach(({ name }, index) => {
    const column: number[] = [];
    for (let row = index; row < scores.length; row += k) {
      const value = scores[row] as number;
      if (!Number.isNaN(value)) column.push(value);
    }
    metrics[`rewards/${name}/mean`] = mean(column);
    metrics[`rewards/${name}/std`] = std(column);
  });
  return metrics;
}
