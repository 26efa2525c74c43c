import type { CausalLM, Tokenizer } from '@trl/core';
import {
  createToolEnvironment,
  playQuestions,
  rate,
  summarizeToolUse,
  type ToolEnvConfig,
} from '@trl/example-kit/tool-env';
import type { TextHistory } from '@trl/textenv';
import { PythonInterpreter } from '@trl/tools-python';
import type { Problem } from './problems';
import { pythonCalls, ranWithoutError, rewardHistories } from './protocol';

/** The `env` part of the example's config: the kit's settings plus the interpreter's limits. */
export interface PythonEnvConfig extends ToolEnvConfig {
  maxToolResponse: number;
  pythonTimeoutMs: number;
}

/**
 * The sandboxed interpreter every episode shares: one warm Pyodide worker (the 2 cores are busy with
 * the model), a short timeout since the programs are one-liners. Call `ready()` once before the
 * first episode (Pyodide takes seconds to load) and `close()` at the end.
 */
export function createPython(config: PythonEnvConfig): PythonInterpreter {
  return new PythonInterpreter({ poolSize: 1, timeoutMs: config.pythonTimeoutMs });
}

/** The policy, tokenizer, interpreter and settings of a python-math environment. */
export interface PythonMathEnvironmentOptions {
  model: CausalLM;
  tokenizer: Tokenizer;
  python: PythonInterpreter;
  config: PythonEnvConfig;
  seed: number;
  /** Sampled (default) or greedy generation. */
  doSample?: boolean;
}

/**
 * The TextEnvironment of the example: the kit's tool environment (no prompt, TRL's sampling) with
 * the Python tool, TRL's exact-match reward, and room for a traceback in the tool's answer.
 */
export function createPythonMathEnvironment({
  model,
  tokenizer,
  python,
  config,
  seed,
  doSample,
}: PythonMathEnvironmentOptions) {
  return createToolEnvironment({
    model,
    tokenizer,
    tool: python,
    rewardFn: rewardHistories,
    env: config,
    seed,
    ...(doSample === undefined ? {} : { doSample }),
    maxToolResponse: config.maxToolResponse,
    toolTimeoutMs: config.pythonTimeoutMs + 2000,
  });
}

/**
 * Accuracy (mean exact-match reward), tool-call rate (episodes that ran a program), clean-run rate
 * (programs that ran without a Python error, over all programs run), and accuracy with and without
 * the tool.
 */
export function summarizeEpisodes(histories: readonly TextHistory[], rewards: readonly number[]) {
  const rates = summarizeToolUse(histories, rewards, (history) => pythonCalls(history).length > 0);
  const calls = histories.flatMap(pythonCalls);
  return {
    accuracy: rates.accuracy,
    toolCallRate: rates.toolCallRate,
    cleanRunRate: rate(calls.filter(ranWithoutError).length, calls.length),
    accuracyWithTool: rates.accuracyWithTool,
    accuracyWithoutTool: rates.accuracyWithoutTool,
  };
}

/** Plays every held-out problem once (seeded sampling, or greedy with `doSample: false`) and scores it. */
export function evaluate({
  problems,
  ...options
}: PythonMathEnvironmentOptions & { problems: readonly Problem[] }) {
  return playQuestions(createPythonMathEnvironment(options), problems, summarizeEpisodes);
}
