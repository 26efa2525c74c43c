import { readFileSync } from 'node:fs';

// Like ./fixtures, this module imports nothing from the workspace, so @trl/core's tests can read it
// by path (core cannot depend on the kit, which depends on core).

/**
 * The PPO math fixture: inputs and the values TRL v0.7.4's functions produce from them in float64
 * (B = 3 rows, T = 9 steps, V = 7 tokens; ragged masks with left padding and holes).
 */
export interface RlMathFixture {
  config: {
    B: number;
    T: number;
    V: number;
    gamma: number;
    lam: number;
    kl_coef: number;
    cliprange: number;
    cliprange_value: number;
    vf_coef: number;
  };
  inputs: {
    mask: number[][];
    labels: number[][];
    logits_old: number[][][];
    logits_ref: number[][][];
    logits_new: number[][][];
    values: number[][];
    vpreds: number[][];
    scores: number[];
  };
  /** The `[B, T]` results, by TRL's names. */
  expected: Record<
    | 'logprobs'
    | 'ref_logprobs'
    | 'new_logprobs'
    | 'kl_kl'
    | 'kl_abs'
    | 'kl_mse'
    | 'kl_full'
    | 'rewards'
    | 'non_score_rewards'
    | 'advantages'
    | 'returns'
    | 'advantages_whiten_rewards'
    | 'returns_whiten_rewards'
    | 'masked_whiten_values'
    | 'masked_whiten_values_noshift',
    number[][]
  > & {
    masked_mean_values: number;
    masked_var_values: number;
    ppo_loss: Record<
      | 'pg_loss'
      | 'vf_loss'
      | 'total'
      | 'pg_clipfrac'
      | 'vf_clipfrac'
      | 'entropy'
      | 'approxkl'
      | 'policykl'
      | 'ratio_mean',
      number
    >;
    adaptive_kl: {
      init: number;
      target: number;
      horizon: number;
      n_steps: number;
      current_kls: number[];
      values_after_each: number[];
    };
    running_moments: {
      batch: number[];
      mean: number;
      std: number;
      var: number;
      count: number;
      returned_mean: number;
      returned_std: number;
    }[];
  };
}

/** Reads the fixture (`fixtures/rl-math/ppo-math-trl074.json` of the kit, the one copy). */
export function loadRlMathFixture(): RlMathFixture {
  const url = new URL('../fixtures/rl-math/ppo-math-trl074.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as RlMathFixture;
}
