/**
 * Every key `PPOTrainer.step` returns: TRL v0.7.4's scalar stats (its histogram-only entries such as
 * `objective/kl_dist` are left out) plus `ppo/skipped_batches`, `ppo/non_finite_batches` and
 * `ppo/early_stopped`. Timings are wall-clock seconds.
 */
export const PPO_STAT_KEYS = [
  'objective/kl',
  'objective/kl_coef',
  'objective/entropy',
  'ppo/mean_non_score_reward',
  'ppo/mean_scores',
  'ppo/std_scores',
  'tokens/queries_len_mean',
  'tokens/queries_len_std',
  'tokens/responses_len_mean',
  'tokens/responses_len_std',
  'ppo/loss/policy',
  'ppo/loss/value',
  'ppo/loss/total',
  'ppo/policy/entropy',
  'ppo/policy/approxkl',
  'ppo/policy/policykl',
  'ppo/policy/clipfrac',
  'ppo/policy/advantages_mean',
  'ppo/policy/ratio',
  'ppo/returns/mean',
  'ppo/returns/var',
  'ppo/val/vpred',
  'ppo/val/error',
  'ppo/val/clipfrac',
  'ppo/val/mean',
  'ppo/val/var',
  'ppo/val/var_explained',
  'ppo/learning_rate',
  'ppo/skipped_batches',
  'ppo/non_finite_batches',
  'ppo/early_stopped',
  'time/ppo/forward_pass',
  'time/ppo/compute_rewards_and_advantages',
  'time/ppo/optimize_step',
  'time/ppo/calc_stats',
  'time/ppo/total',
] as const;

/** One of {@link PPO_STAT_KEYS}. */
export type PPOStatKey = (typeof PPO_STAT_KEYS)[number];
