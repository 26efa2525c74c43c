/**
 * The PPO phase every tool example runs after its SFT warm start: held-out evaluation (sampled and
 * greedy), PPO steps in the example's TextEnvironment, evaluation every `evalEvery` steps, the
 * summary, the learning curve, the checkpoint and the teardown. An example supplies only its task:
 * how to sample a batch, how to play the held-out set, its environment and its chart.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createLrSchedule, getBackendInfo, type Tokenizer, type Tracker, tf } from '@trl/core';
import type { Gpt2WithValueHead } from '@trl/models';
import { PPOTrainer, type TokenRow } from '@trl/ppo';
import { statsToMetrics, type TextEnvironmentStats } from '@trl/textenv';
import { type LineChart, writeLearningCurve } from './chart';
import { round } from './run';

/** The rates every tool example measures on a batch of episodes. */
export interface ToolRates {
  accuracy: number;
  toolCallRate: number;
  accuracyWithTool: number;
  accuracyWithoutTool: number;
}

/**
 * What an example's `summarizeEpisodes` returns: the shared rates plus any of its own (`extraRates`,
 * numbers too; the index is `unknown` so that an {@link EvalResult} can carry its episodes as well).
 */
export type EpisodeRates = ToolRates & Record<string, unknown>;

/** One evaluation: the rates plus the episodes behind them. */
export type EvalResult = EpisodeRates & {
  histories: readonly { text: string }[];
  rewards: readonly number[];
};

/** An example's own rate: its key in `EpisodeRates`, its tracker name (`eval/<metric>`, `env/<metric>`) and its word in the step log. */
export interface ExtraRate {
  key: string;
  metric: string;
  label: string;
}

/** The rounded rates of one evaluation (see {@link evalSummary}), the example's own ones included. */
export type EvalSummary = ToolRates & Record<string, number>;

/**
 * Held-out results at one step, plus the fields `X` an example's `extraEval` adds at some of the
 * steps (so each of them may be missing).
 */
export type EvalPoint<X extends object = object> = {
  step: number;
  sampled: EvalSummary;
  greedy: EvalSummary;
} & Partial<X>;

/** Training reward per PPO step and the held-out evaluations, as the learning curve plots them. */
export interface Curve<X extends object = object> {
  train: { step: number; reward: number; toolCallRate: number }[];
  eval: EvalPoint<X>[];
}

/** What {@link runToolPpo} returns and writes to `summary.json`; `heldOut.key` holds the held-out count. */
export type ToolPpoSummary<X extends object = object> = {
  afterSft: EvalPoint<X>;
  afterPpo: EvalPoint<X>;
  gainPoints: number;
  sftFinalLoss: number;
  sftSeconds: number;
  ppoSeconds: number;
  totalSeconds: number;
  backend: string | undefined;
  loadAverage: number[];
  curve: Curve<X>;
} & Record<string, unknown>;

/** The tool-PPO part of an example's `config.ppo`. */
export type ToolPpoConfig = {
  steps: number;
  batchSize: number;
  evalEvery: number;
  learningRate: number;
  lrSchedule?: LrScheduleKind;
} & Record<string, unknown>;

type LrScheduleKind = Parameters<typeof createLrSchedule>[0]['kind'];

/** The episodes of one environment run, as TextEnvironment returns them. */
interface EpisodeBatch<H> {
  queries: number[][];
  responses: number[][];
  masks: number[][];
  rewards: number[];
  histories: H[];
  stats: TextEnvironmentStats;
}

/** An example's task and run for {@link runToolPpo}; `H` is its episode type, `A` its answer type, `X` what its `extraEval` adds to a point. */
export interface ToolPpoOptions<H, A, X extends object = object> {
  policy: Gpt2WithValueHead;
  tokenizer: Tokenizer & { savePretrained(dir: string): Promise<unknown> };
  tracker: Tracker;
  runDir: string;
  log: (line: string) => void;
  seconds: () => number;
  /** The example's config: `seed` seeds PPOTrainer, `ppo` sets the trainer and the loop. */
  config: { seed: number; ppo: ToolPpoConfig };
  /** Plays the held-out set once, sampled (`true`) or greedy. */
  evaluate: (doSample: boolean) => Promise<EvalResult>;
  /** An extra evaluation at `step` (after the two regular ones), merged into the point, the metrics and the log line. */
  extraEval?: (
    step: number,
  ) => Promise<{ point: X; metrics: Record<string, number>; logSuffix: string } | undefined>;
  extraRates?: readonly ExtraRate[];
  /** The training environment; built after the trainer, as the examples always did. */
  createEnvironment: () => {
    run(prompts: readonly string[], context: { answers: readonly A[] }): Promise<EpisodeBatch<H>>;
  };
  /** The next PPO batch of prompts and their answers. */
  sampleBatch: () => { questions: string[]; answers: A[] };
  summarizeEpisodes: (histories: H[], rewards: readonly number[]) => EpisodeRates;
  /** `summary.json` key, size and noun of the held-out set (e.g. `heldOutTasks`, 200, `tasks`). */
  heldOut: { key: string; count: number; noun: string };
  /** Words after `× <batchSize>` in the PPO header line; default `episodes`. */
  batchNoun?: string;
  /** How an episode prints in the log; default its text. */
  showEpisode?: (history: { text: string }) => string;
  /** Held-out episodes printed after the SFT evaluation; default 4. */
  exampleCount?: number;
  chart: (curve: Curve<X>) => LineChart;
  sft: { finalLoss: number; seconds: number };
  /** Closes the example's tools after the tracker. */
  close?: () => Promise<void>;
}

/** The PPOTrainer settings an example's `config.ppo` may carry; the rest (steps, evalEvery, ...) are the loop's. */
const TRAINER_KEYS: readonly string[] = [
  'learningRate',
  'batchSize',
  'miniBatchSize',
  'ppoEpochs',
  'initKlCoef',
  'adapKlCtrl',
  'maxGradNorm',
  'cliprange',
  'cliprangeValue',
  'vfCoef',
  'whitenRewards',
];

/**
 * PPOTrainer config from an example's `config.ppo`: the trainer's keys that are set, plus `seed`.
 * Unset keys are left out, which PPOTrainer treats as its defaults.
 */
export function ppoTrainerConfig(ppo: Record<string, unknown>, seed: number): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const key of TRAINER_KEYS) if (ppo[key] !== undefined) config[key] = ppo[key];
  return { ...config, seed };
}

/**
 * The numbers worth printing from an evaluation: accuracy, tool-call rate, the example's own rates
 * (right after the tool-call rate, so logs read the same as before the loop moved here) and accuracy
 * split by tool use, each rounded.
 */
export function evalSummary(result: EpisodeRates, extraRates: readonly ExtraRate[] = []): EvalSummary {
  const keys = [
    'accuracy',
    'toolCallRate',
    ...extraRates.map((r) => r.key),
    'accuracyWithTool',
    'accuracyWithoutTool',
  ];
  // Every key of EvalSummary is in `keys`, so the record has them all.
  return Object.fromEntries(keys.map((key) => [key, round(Number(result[key]))])) as EvalSummary;
}

/**
 * Runs PPO on a policy fresh from SFT and finishes the run. Order of work (which fixes the random
 * draws, so keep it): evaluate at step 0, build the trainer, build the environment, then per step
 * sample a batch, play it, train on the episodes that produced a token, and evaluate on schedule.
 * Afterwards writes `summary.json`, the learning curve and `checkpoint/` under `runDir`, closes the
 * tracker and the example's tools, and frees the trainer (its optimizer and its reference copy) and
 * the policy.
 */
export async function runToolPpo<H extends { text: string }, A, X extends object = object>(
  options: ToolPpoOptions<H, A, X>,
): Promise<ToolPpoSummary<X>> {
  const { policy, tokenizer, tracker, runDir, log, seconds, evaluate, extraEval } = options;
  const { seed, ppo } = options.config;
  const { extraRates = [], summarizeEpisodes, heldOut, showEpisode = (h) => h.text } = options;

  let lastSampled: EvalResult | undefined;
  const evalAt = async (step: number): Promise<EvalPoint<X>> => {
    const sampled = await evaluate(true);
    const greedy = await evaluate(false);
    // X's fields are all optional in a point; TypeScript cannot see that `{}` is a Partial<X> for a generic X.
    const point = {
      step,
      sampled: evalSummary(sampled, extraRates),
      greedy: evalSummary(greedy, extraRates),
    } as EvalPoint<X>;
    const metrics: Record<string, number> = {};
    for (const [suffix, result] of [
      ['', sampled],
      ['_greedy', greedy],
    ] as const) {
      metrics[`eval/accuracy${suffix}`] = result.accuracy;
      metrics[`eval/tool_call_rate${suffix}`] = result.toolCallRate;
      for (const rate of extraRates) metrics[`eval/${rate.metric}${suffix}`] = Number(result[rate.key]);
    }
    const extra = await extraEval?.(step);
    if (extra) {
      Object.assign(point, extra.point);
      Object.assign(metrics, extra.metrics);
    }
    await tracker.log(metrics, step);
    log(
      `  eval @ppo step ${step}: sampled ${JSON.stringify(point.sampled)} greedy ${JSON.stringify(point.greedy)}` +
        `${extra?.logSuffix ?? ''} (${seconds()} s)`,
    );
    lastSampled = sampled;
    return point;
  };

  log(`Held-out evaluation after SFT (${heldOut.count} ${heldOut.noun})`);
  const afterSft = await evalAt(0);
  const shown = (lastSampled?.histories ?? []).slice(0, options.exampleCount ?? 4).map(showEpisode);
  log(`  examples:\n    ${shown.join('\n    ')}`);

  const trainer = new PPOTrainer({
    model: policy,
    tokenizer,
    tracker,
    config: ppoTrainerConfig(ppo, seed),
    ...(ppo.lrSchedule === undefined
      ? {}
      : {
          lrScheduler: createLrSchedule({
            kind: ppo.lrSchedule,
            baseLr: ppo.learningRate,
            totalSteps: ppo.steps,
          }),
        }),
  });
  const env = options.createEnvironment();
  const curve: Curve<X> = { train: [], eval: [afterSft] };
  let afterPpo = afterSft;
  log(`PPO: ${ppo.steps} steps × ${ppo.batchSize} ${options.batchNoun ?? 'episodes'}`);
  for (let step = 1; step <= ppo.steps; step++) {
    const { questions, answers } = options.sampleBatch();
    const { queries, responses, masks, rewards, histories, stats } = await env.run(questions, { answers });
    // An episode whose first turn produced no token has nothing to train on.
    const keep = responses.map((response) => response.length > 0);
    const pick = <T>(rows: readonly T[]): T[] => rows.filter((_, i) => keep[i]);
    const ppoStats = await trainer.step(
      pick<TokenRow>(queries),
      pick<TokenRow>(responses),
      pick(rewards),
      pick(masks),
    );
    const summary = summarizeEpisodes(histories, rewards);
    const metrics: Record<string, number> = {
      'env/reward_mean': summary.accuracy,
      'env/tool_call_rate': summary.toolCallRate,
    };
    for (const rate of extraRates) metrics[`env/${rate.metric}`] = Number(summary[rate.key]);
    await tracker.log({ ...metrics, ...statsToMetrics(stats) }, step);
    curve.train.push({ step, reward: summary.accuracy, toolCallRate: summary.toolCallRate });
    const rates = [
      `reward ${summary.accuracy.toFixed(3)}`,
      `tool ${summary.toolCallRate.toFixed(3)}`,
      ...extraRates.map((rate) => `${rate.label} ${Number(summary[rate.key]).toFixed(3)}`),
    ];
    log(
      `  ppo step ${step}: ${rates.join(' ')} kl ${Number(ppoStats['objective/kl'] ?? Number.NaN).toFixed(3)} (${seconds()} s)`,
    );
    if (step % ppo.evalEvery === 0 || step === ppo.steps) {
      afterPpo = await evalAt(step);
      curve.eval.push(afterPpo);
    }
  }
  // evalAt(0) ran above, so there is always a last evaluation.
  const final = lastSampled as EvalResult;
  const wrong = final.histories.filter((_, i) => final.rewards[i] === 0).slice(0, 8);
  log(
    `  wrong held-out episodes after PPO (first ${wrong.length}):\n    ${wrong.map(showEpisode).join('\n    ')}`,
  );

  const totalSeconds = seconds();
  const summary: ToolPpoSummary<X> = {
    [heldOut.key]: heldOut.count,
    afterSft,
    afterPpo,
    gainPoints: round((Number(afterPpo.sampled.accuracy) - Number(afterSft.sampled.accuracy)) * 100, 1),
    sftFinalLoss: round(options.sft.finalLoss),
    sftSeconds: options.sft.seconds,
    ppoSeconds: round(totalSeconds - options.sft.seconds, 1),
    totalSeconds,
    backend: getBackendInfo()?.name,
    loadAverage: loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', options.chart(curve));
  await policy.savePretrained(join(runDir, 'checkpoint'));
  await tokenizer.savePretrained(join(runDir, 'checkpoint'));
  await tracker.close();
  await options.close?.();
  // trainer.dispose() frees the optimizer and the frozen reference copy; disposing only the
  // optimizer, as the examples once did, left the reference weights alive.
  trainer.dispose();
  policy.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}
