import type { CausalLM, Tokenizer } from '@trl/core';
import {
  createToolEnvironment,
  playQuestions,
  summarizeToolUse,
  type ToolEnvConfig,
} from '@trl/example-kit/tool-env';
import type { TextHistory } from '@trl/textenv';
import type { WikiSearch } from '@trl/tools-wiki';
import type { Question } from './entities';
import { MAX_PASSAGE_CHARS, rewardHistories, usedWiki } from './protocol';

/** The policy, tokenizer, tool and settings of a wiki environment. */
export interface WikiEnvironmentOptions {
  model: CausalLM;
  tokenizer: Tokenizer;
  /** The real search or the disabled one; the model calls either `Wiki`. */
  tool: WikiSearch;
  config: ToolEnvConfig;
  seed: number;
  /** Sampled (default) or greedy generation. */
  doSample?: boolean;
}

/**
 * The TextEnvironment of the example: the kit's tool environment (no prompt, TRL's sampling) with
 * one tool named `Wiki`, the exact-match reward, and room for a passage in the tool's answer.
 */
export function createWikiEnvironment({
  model,
  tokenizer,
  tool,
  config,
  seed,
  doSample,
}: WikiEnvironmentOptions) {
  return createToolEnvironment({
    model,
    tokenizer,
    tool,
    rewardFn: rewardHistories,
    env: config,
    seed,
    ...(doSample === undefined ? {} : { doSample }),
    maxToolResponse: MAX_PASSAGE_CHARS + 20,
  });
}

/** Accuracy (mean exact-match reward), tool-call rate, and accuracy split by whether the tool was called. */
export function summarizeEpisodes(histories: readonly TextHistory[], rewards: readonly number[]) {
  return summarizeToolUse(histories, rewards, usedWiki);
}

/** Plays every question once (seeded sampling, or greedy with `doSample: false`) with `tool` and scores it. */
export function evaluate({
  questions,
  ...options
}: WikiEnvironmentOptions & { questions: readonly Question[] }) {
  return playQuestions(createWikiEnvironment(options), questions, summarizeEpisodes);
}
