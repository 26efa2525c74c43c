import type { CausalLM, Tokenizer } from '@trl/core';
import {
  createToolEnvironment,
  playQuestions,
  summarizeToolUse,
  type ToolEnvConfig,
} from '@trl/example-kit/tool-env';
import type { TextHistory } from '@trl/textenv';
import { createCalculator, rewardHistories, usedCalculator } from './protocol';
import type { Task } from './tasks';

/** The policy, tokenizer and settings of a calculator environment. */
export interface CalculatorEnvironmentOptions {
  model: CausalLM;
  tokenizer: Tokenizer;
  config: ToolEnvConfig;
  seed: number;
  /** Sampled (default) or greedy generation. */
  doSample?: boolean;
}

/**
 * The TextEnvironment of the example: the kit's tool environment (no prompt, TRL's sampling) with
 * the calculator tool and TRL's exact-match reward.
 */
export function createCalculatorEnvironment({
  model,
  tokenizer,
  config,
  seed,
  doSample,
}: CalculatorEnvironmentOptions) {
  return createToolEnvironment({
    model,
    tokenizer,
    tool: createCalculator(),
    rewardFn: rewardHistories,
    env: config,
    seed,
    ...(doSample === undefined ? {} : { doSample }),
  });
}

/** Accuracy (mean exact-match reward) and tool-call rate of episodes. */
export function summarizeEpisodes(histories: readonly TextHistory[], rewards: readonly number[]) {
  return summarizeToolUse(histories, rewards, usedCalculator);
}

/** Plays every held-out task once (seeded sampling, or greedy with `doSample: false`) and scores it. */
export function evaluate({ tasks, ...options }: CalculatorEnvironmentOptions & { tasks: readonly Task[] }) {
  return playQuestions(createCalculatorEnvironment(options), tasks, summarizeEpisodes);
}
