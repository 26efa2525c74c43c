import type { CausalLM, GenerationOptions } from '@trl/core';

/** What a rollout produces: one entry per completion, `numPrompts * numGenerations` of them, prompt by prompt. */
export interface Rollout {
  /** The prompt tokens of each completion (each prompt repeated `numGenerations` times). */
  promptIds: number[][];
  /** The generated tokens of each completion (cut after the first eos, which is kept). */
  completionIds: number[][];
  /**
   * 1 where a completion token counts in the loss, 0 where it does not (tokens after eos, or
   * environment/tool output inserted into a multi-turn episode). Same lengths as `completionIds`.
   */
  completionMask: number[][];
  /** Whether each completion stopped at the length limit instead of at eos. */
  truncated: boolean[];
  /** Extra per-completion columns handed to every reward function (e.g. tool results). */
  rewardKwargs?: Record<string, unknown[]>;
}

/** What the trainer hands a {@link RolloutFunction}. */
export interface RolloutArgs {
  /** The policy being trained. */
  model: CausalLM;
  /** The batch's distinct prompts (token ids). */
  prompts: readonly (readonly number[])[];
  /** Completions to sample per prompt. */
  numGenerations: number;
  /** Sampling options from the config (temperature, topP, topK, maxNewTokens, seed, eos/pad ids). */
  generation: GenerationOptions;
}

/**
 * Turns prompts into completions. The default samples with `model.generate`; a multi-turn tool-calling
 * rollout can replace it (masking tool tokens with 0 in `completionMask`) without changing the trainer.
 */
export type RolloutFunction = (args: RolloutArgs) => Promise<Rollout>;

function eosIds(generation: GenerationOptions): number[] {
  const eos = generation.eosTokenId;
  if (eos === undefined) return [];
  return typeof eos === 'number' ? [eos] : [...eos];
}

/**
 * TRL's single-turn generation: every prompt is repeated `numGenerations` times and sampled in one
 * `model.generate` call. Tokens after the first eos are dropped (the model already stops there, this
 * guards implementations that pad), so the mask is all ones.
 */
export const defaultRollout: RolloutFunction = async ({ model, prompts, numGenerations, generation }) => {
  const promptIds = prompts.flatMap((prompt) => Array.from({ length: numGenerations }, () => [...prompt]));
  const outputs = await model.generate(promptIds, generation);
  const eos = eosIds(generation);
  const completionIds: number[][] = [];
  const truncated: boolean[] = [];
  for (const output of outputs) {
    const cut = output.tokenIds.findIndex((id) => eos.includes(id));
    completionIds.push(cut < 0 ? [...output.tokenIds] : output.tokenIds.slice(0, cut + 1));
    truncated.push(cut < 0 && output.finishReason === 'length');
  }
  return {
    promptIds,
    completionIds,
    completionMask: completionIds.map((ids) => ids.map(() => 1)),
    truncated,
  };
};
