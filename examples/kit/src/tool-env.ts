/**
 * The task side every tool example shares: its TextEnvironment (TRL's sampling, one tool, a reward
 * on the last model segment), the rates of a batch of episodes, a pass over a question set, the
 * from-scratch GPT-2 sized for the example's tokenizer, and the learning-curve chart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CausalLM, RewardFunction, Tokenizer, Tool } from '@trl/core';
import { AutoModelForCausalLM, type Gpt2LMHeadModel } from '@trl/models';
import { TextEnvironment, type TextHistory } from '@trl/textenv';
import type { ChartSeries, LineChart } from './chart';
import type { Curve, EpisodeRates, EvalPoint } from './tool-ppo';

/** The `env` part of a tool example's config. */
export interface ToolEnvConfig {
  maxTurns: number;
  maxNewTokens: number;
  generateBatchSize: number;
}

/** One prompt and the answer its reward compares against. */
export interface QuestionWithAnswer<A> {
  question: string;
  answer: A;
}

/** What the environment's reward function receives besides the histories. */
export interface AnswerContext<A> {
  answers: readonly A[];
}

/** Everything {@link createToolEnvironment} needs; the optional limits are left at TextEnvironment's defaults when unset. */
export interface ToolEnvironmentOptions<A> {
  model: CausalLM;
  tokenizer: Tokenizer;
  tool: Tool;
  rewardFn: RewardFunction<TextHistory, AnswerContext<A>>;
  env: ToolEnvConfig;
  /** Seed of the environment's sampling. */
  seed: number;
  /** Sampled (default) or greedy generation. */
  doSample?: boolean;
  maxToolResponse?: number;
  toolTimeoutMs?: number;
}

/**
 * A TextEnvironment with no prompt (the models are trained from scratch on bare questions), the
 * example's one tool and reward, sampling as TRL's PPO generation (temperature 1, no top-k/top-p)
 * unless `doSample` is false.
 */
export function createToolEnvironment<A>(
  options: ToolEnvironmentOptions<A>,
): TextEnvironment<AnswerContext<A>> {
  const { env } = options;
  return new TextEnvironment<AnswerContext<A>>({
    model: options.model,
    tokenizer: options.tokenizer,
    tools: [options.tool],
    rewardFn: options.rewardFn,
    maxTurns: env.maxTurns,
    ...(options.maxToolResponse === undefined ? {} : { maxToolResponse: options.maxToolResponse }),
    ...(options.toolTimeoutMs === undefined ? {} : { toolTimeoutMs: options.toolTimeoutMs }),
    batchSize: env.generateBatchSize,
    generation: {
      maxNewTokens: env.maxNewTokens,
      doSample: options.doSample ?? true,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed: options.seed,
    },
  });
}

/** `count / total`, or 0 when there is nothing to count over (an empty split logs 0, not NaN). */
export function rate(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

/**
 * Accuracy (share of positive rewards), tool-call rate (episodes `usedTool` accepts), and accuracy
 * split by whether the tool was used.
 */
export function summarizeToolUse(
  histories: readonly TextHistory[],
  rewards: readonly number[],
  usedTool: (history: TextHistory) => boolean,
): EpisodeRates {
  let correct = 0;
  let withTool = 0;
  let correctWithTool = 0;
  histories.forEach((history, i) => {
    const right = (rewards[i] ?? 0) > 0;
    const used = usedTool(history);
    if (right) correct++;
    if (used) withTool++;
    if (right && used) correctWithTool++;
  });
  return {
    accuracy: rate(correct, histories.length),
    toolCallRate: rate(withTool, histories.length),
    accuracyWithTool: rate(correctWithTool, withTool),
    accuracyWithoutTool: rate(correct - correctWithTool, histories.length - withTool),
  };
}

/** True when the episode called the tool named `name` at least once. */
export function calledTool(history: TextHistory, name: string): boolean {
  return history.toolCalls.some((call) => call.tool === name);
}

/** Plays every question once in `env` and scores the episodes with `summarize`. */
export async function playQuestions<A, R extends EpisodeRates>(
  env: TextEnvironment<AnswerContext<A>>,
  questions: readonly QuestionWithAnswer<A>[],
  summarize: (histories: TextHistory[], rewards: number[]) => R,
): Promise<R & { histories: TextHistory[]; rewards: number[] }> {
  const { histories, rewards } = await env.run(
    questions.map((q) => q.question),
    { answers: questions.map((q) => q.answer) },
  );
  return { ...summarize(histories, rewards), histories, rewards };
}

/**
 * The warm start saved in `sftCacheDir` when it holds one (a tuning shortcut: PPO variants start
 * from one saved SFT), else undefined.
 */
export async function loadCachedWarmStart(
  sftCacheDir: string | undefined,
): Promise<Gpt2LMHeadModel | undefined> {
  if (sftCacheDir === undefined || !existsSync(join(sftCacheDir, 'config.json'))) return undefined;
  return AutoModelForCausalLM.fromPretrained<Gpt2LMHeadModel>(sftCacheDir);
}

/** One held-out series of a learning curve: `pick` of every point, with a marker each. */
export function evalSeries<P extends EvalPoint>(
  name: string,
  points: readonly P[],
  pick: (point: P) => number,
): ChartSeries {
  return { name, points: points.map((p) => ({ x: p.step, y: pick(p) })), markers: true };
}

/**
 * The learning curve of a tool example: held-out accuracy (sampled and greedy) and tool-call rate per
 * evaluation, the example's own `extraSeries`, then the reward of each PPO training batch, dashed.
 */
export function toolLearningCurve(
  curve: Curve,
  {
    title,
    extraSeries = [],
    trainName = 'train batch reward',
  }: {
    title: string;
    extraSeries?: readonly ChartSeries[];
    trainName?: string;
  },
): LineChart {
  return {
    title,
    xLabel: 'PPO step',
    yLabel: 'rate',
    yDomain: [0, 1],
    series: [
      evalSeries('held-out accuracy', curve.eval, (p) => Number(p.sampled.accuracy)),
      evalSeries('held-out acc. (greedy)', curve.eval, (p) => Number(p.greedy.accuracy)),
      evalSeries('held-out tool calls', curve.eval, (p) => Number(p.sampled.toolCallRate)),
      ...extraSeries,
      { name: trainName, points: curve.train.map((p) => ({ x: p.step, y: p.reward })), dashed: true },
    ],
  };
}

/** The parts of a tool example's config that {@link toolSmokeConfig} shrinks. */
export interface ShrinkableToolConfig {
  model: object;
  sft: object;
  env: ToolEnvConfig;
  ppo: object;
}

/**
 * A tool example's smoke configuration (every stage runs, in seconds; a check, not a result): `full`
 * with a one-layer 32-wide model, `sftSteps` SFT steps of 8 transcripts, generation batches of
 * `generateBatchSize` and two PPO steps of 8 episodes, evaluated after each. Keys keep their order
 * in `full`, so the printed config reads the same.
 */
export function toolSmokeConfig<C extends ShrinkableToolConfig>(
  full: C,
  { sftSteps, generateBatchSize }: { sftSteps: number; generateBatchSize: number },
): C {
  return {
    ...full,
    model: { ...full.model, n_embd: 32, n_layer: 1 },
    sft: { ...full.sft, steps: sftSteps, batchSize: 8, warmupSteps: 2, logEvery: 5 },
    env: { ...full.env, generateBatchSize },
    ppo: { ...full.ppo, steps: 2, batchSize: 8, miniBatchSize: 4, ppoEpochs: 1, evalEvery: 1 },
  };
}
