/**
 * The whole experiment of the single-turn examples (sentiment, reward-model): a BPE tokenizer learned
 * from the example's reviews, a GPT-2 from scratch with an SFT warm start, then PPO on one
 * continuation per prompt with a scalar reward and a KL penalty to the SFT model, evaluated on
 * held-out openings. An example supplies only its task: its review grammar, how a continuation is
 * scored, what an evaluation and a PPO step report, and its chart.
 */
import { type Metrics, Rng, tf } from '@trl/core';
import { runSft } from '@trl/example-kit/sft';
import {
  type Gpt2ConfigInput,
  Gpt2WithValueHead,
  type HuggingFaceTokenizer,
  trainBpeTokenizer,
} from '@trl/models';
import { type PPOStats, PPOTrainer } from '@trl/ppo';
import type { ChartSeries, LineChart } from './chart';
import { createGpt2 } from './gpt2';
import { drawOne } from './random';
import type { ReviewGrammar } from './reviews';
import { generateContinuations, round, startRun } from './run';
import { machineSummary, writeRunOutputs } from './run-outputs';

/** The configuration every single-turn example shares (an example may add its own sections). */
export interface ContinuationConfig {
  seed: number;
  backend: string;
  /** Held-out openings, never used in SFT or PPO. */
  testSize: number;
  /** Samples per held-out opening in each evaluation. */
  evalSamples: number;
  vocabSize: number;
  /** GPT-2 shape of the policy; vocabulary and special ids come from the tokenizer. */
  model: Gpt2ConfigInput;
  sft: { steps: number; batchSize: number; learningRate: number; warmupSteps: number; logEvery: number };
  generation: { maxNewTokens: number; topK: number; batchSize: number };
  ppo: {
    steps: number;
    batchSize: number;
    learningRate: number;
    miniBatchSize: number;
    ppoEpochs: number;
    initKlCoef: number;
    adapKlCtrl: boolean;
    maxGradNorm: number;
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: number;
  };
}

/**
 * The smoke variant of a full configuration: every stage runs in seconds (a check, not a result).
 * The keys keep the full configuration's order, so both print alike.
 */
export function continuationSmokeConfig<C extends ContinuationConfig>(full: C): C {
  return {
    ...full,
    testSize: 4,
    evalSamples: 2,
    model: { ...full.model, n_embd: 32, n_layer: 1 },
    sft: { ...full.sft, steps: 20, batchSize: 8, warmupSteps: 2, logEvery: 5 },
    generation: { ...full.generation, batchSize: 16 },
    ppo: { ...full.ppo, steps: 2, batchSize: 8, miniBatchSize: 4, ppoEpochs: 1, evalEvery: 1 },
  };
}

/** The scores of a batch of continuations: the PPO reward of each, plus whatever else the task measures. */
export interface Scores {
  rewards: number[];
}

/**
 * Scores continuations for one task, built once the tokenizer and the split exist. `H` are the
 * fields it puts first in the summary, `P` the wall times of the stages it ran before SFT.
 */
export interface Scorer<S extends Scores, H extends object, P extends Record<string, number>> {
  /** Scores `texts[i]`, the continuation of `prompts[i]`. */
  score(prompts: readonly string[], texts: readonly string[]): S;
  /** Seconds of the stages this scorer ran before SFT, as `summary.json` keys (e.g. `rewardModelSeconds`). */
  phaseSeconds: P;
  /** Fields that open `summary.json`, read after PPO. */
  summary: () => H;
  /** Frees the scorer's tensors, after the policy's. */
  dispose?: () => void;
}

/** What the task's `createScorer` may use. */
export interface ScorerContext {
  tokenizer: HuggingFaceTokenizer;
  train: string[];
  test: string[];
  runDir: string;
  log: (line: string) => void;
  /** Wall time since the run started. */
  seconds: () => number;
}

/** A PPO step as the curve keeps it: at least its batch reward and KL; the example adds its own numbers. */
export interface TrainPoint {
  step: number;
  reward: number;
  kl: number;
}

/** Held-out evaluations and PPO steps, as the learning curve plots them. */
export interface ContinuationCurve<E extends object, T extends TrainPoint> {
  train: T[];
  eval: ({ step: number } & E)[];
}

/** What an example brings: its grammar, its reward and how its results read. */
export interface ContinuationTask<
  S extends Scores,
  E extends object,
  T extends TrainPoint,
  H extends object = Record<never, never>,
  P extends Record<string, number> = Record<never, number>,
> {
  /** The prompts and SFT texts. */
  grammar: ReviewGrammar;
  createScorer: (context: ScorerContext) => Promise<Scorer<S, H, P>> | Scorer<S, H, P>;
  /** An evaluation's numbers (the kit puts `step` first). */
  evalPoint: (scores: S) => E;
  evalMetrics: (point: E) => Metrics;
  /** The bracketed note after a held-out sample, e.g. its reward. */
  sampleNote: (scores: S, index: number) => string;
  /** A PPO step's numbers, `step` first. */
  trainPoint: (step: number, scores: S, stats: PPOStats) => T;
  trainMetrics: (point: T) => Metrics;
  /** The rates of a step log line, before the KL, e.g. `reward 0.250`. */
  describeStep: (point: T) => string;
  /** The learning curve over PPO steps (x axis `PPO step`): its title, y-axis title and lines. */
  chart: { title: string; yLabel: string; series: (curve: ContinuationCurve<E, T>) => ChartSeries[] };
  /** Words of the log headings. */
  headings: { sft: string; heldOut: string; ppoSuffix?: string };
  /** Save the policy and tokenizer to `checkpoint/` at the end. */
  saveCheckpoint: boolean;
}

/**
 * What {@link runContinuationExperiment} returns and writes to `summary.json` (after the scorer's
 * fields `H`; its phase times `P` come before `sftSeconds`).
 */
export type ContinuationSummary<E extends object, T extends TrainPoint> = {
  heldOutOpenings: number;
  evalSamples: number;
  beforePpo: { step: number } & E;
  afterPpo: { step: number } & E;
  samplesBefore: string[];
  samplesAfter: string[];
  finalKl: number | undefined;
  medianKl: number;
  maxKl: number;
  sftFinalLoss: number;
  sftSeconds: number;
  ppoSeconds: number;
  totalSeconds: number;
  backend: string | undefined;
  loadAverage: number[];
  curve: ContinuationCurve<E, T>;
};

/** The task's learning curve as a chart over PPO steps. */
function learningCurve<E extends object, T extends TrainPoint>(
  chart: ContinuationTask<Scores, E, T>['chart'],
  curve: ContinuationCurve<E, T>,
): LineChart {
  return { title: chart.title, xLabel: 'PPO step', yLabel: chart.yLabel, series: chart.series(curve) };
}

/** Subtracts the `phases` from `total` in order (the order the summaries always used). */
function remainingSeconds(total: number, phases: readonly number[]): number {
  return round(
    phases.reduce((rest, phase) => rest - phase, total),
    1,
  );
}

/** The KL statistics of the summary over the PPO steps' `objective/kl`. */
function klStats(kls: readonly number[]): { finalKl: number | undefined; medianKl: number; maxKl: number } {
  return {
    finalKl: kls.at(-1),
    medianKl: round(kls.slice().sort((a, b) => a - b)[Math.floor(kls.length / 2)] ?? Number.NaN),
    maxKl: round(Math.max(...kls)),
  };
}

/**
 * Runs the whole experiment under `runDir` and returns its summary. Order of work (which fixes the
 * random draws, so keep it): split, tokenizer, the task's scorer, policy, SFT, value head, trainer,
 * evaluation at step 0, then per PPO step a batch of training openings, its continuations, one PPO
 * step, and evaluation on schedule. Afterwards writes `summary.json`, the learning curve and
 * (if asked) `checkpoint/`, closes the tracker and frees the trainer (its optimizer and reference
 * copy), the policy and the scorer.
 */
export async function runContinuationExperiment<
  C extends ContinuationConfig,
  S extends Scores,
  E extends object,
  T extends TrainPoint,
  H extends object = Record<never, never>,
  P extends Record<string, number> = Record<never, number>,
>({
  config,
  runDir,
  log = console.log,
  task,
}: {
  config: C;
  runDir: string;
  log?: (line: string) => void;
  task: ContinuationTask<S, E, T, H, P>;
}): Promise<H & ContinuationSummary<E, T> & P> {
  const { seconds, tracker } = await startRun({ config, runDir, log });
  const { grammar } = task;
  const { test, train } = grammar.splitOpenings(config.testSize, config.seed);
  const tokenizer = trainBpeTokenizer(
    grammar.sampleReviews(grammar.allOpenings(), 2000, new Rng(config.seed + 5)),
    {
      vocabSize: config.vocabSize,
      specialTokens: ['<|endoftext|>', '<|pad|>'],
    },
  );
  log(`tokenizer: byte-level BPE with ${tokenizer.vocabSize} tokens learned from generated reviews`);
  const scorer = await task.createScorer({ tokenizer, train, test, runDir, log, seconds });
  const { phaseSeconds } = scorer;

  const lm = createGpt2(config.model, tokenizer, config.seed);
  log(`${task.headings.sft}: ${config.sft.steps} steps × ${config.sft.batchSize} reviews`);
  const sft = await runSft({
    model: lm,
    tokenizer,
    sampleTexts: (count, rng) => grammar.sampleReviews(train, count, rng),
    config: { ...config.sft, seed: config.seed + 2 },
    tracker,
    onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
  });
  const sftSeconds = remainingSeconds(seconds(), Object.values(phaseSeconds));

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
  // No refModel: the trainer snapshots the SFT weights as the frozen reference of the KL penalty.
  const trainer = new PPOTrainer({
    model: policy,
    tokenizer,
    tracker,
    config: {
      learningRate: config.ppo.learningRate,
      batchSize: config.ppo.batchSize,
      miniBatchSize: config.ppo.miniBatchSize,
      ppoEpochs: config.ppo.ppoEpochs,
      initKlCoef: config.ppo.initKlCoef,
      adapKlCtrl: config.ppo.adapKlCtrl,
      maxGradNorm: config.ppo.maxGradNorm,
      seed: config.seed,
    },
  });
  /** Continues every prompt once with the policy and scores the continuations (special tokens dropped). */
  const rollout = async (prompts: string[], seed?: number) => {
    const generated = await generateContinuations({
      trainer,
      tokenizer,
      prompts,
      generation: config.generation,
      ...(seed === undefined ? {} : { seed }),
    });
    return { ...generated, scores: scorer.score(prompts, generated.texts) };
  };

  const evalPrompts = test.flatMap((opening) => Array.from({ length: config.evalSamples }, () => opening));
  const evalAt = async (step: number) => {
    const { texts, scores } = await rollout(evalPrompts, config.seed + 1000);
    const point = { step, ...task.evalPoint(scores) };
    await tracker.log(task.evalMetrics(point), step);
    log(`  eval @ppo step ${step}: ${JSON.stringify(point)} (${seconds()} s)`);
    const samples = evalPrompts
      .map((prompt, i) => `${prompt}${texts[i]}  [${task.sampleNote(scores, i)}]`)
      .filter((_, i) => i % config.evalSamples === 0);
    return { point, samples };
  };

  log(`${task.headings.heldOut} after SFT (${test.length} openings × ${config.evalSamples} samples)`);
  const before = await evalAt(0);
  log(`  samples:\n    ${before.samples.join('\n    ')}`);
  const rng = new Rng(config.seed + 4);
  const curve: ContinuationCurve<E, T> = { train: [], eval: [before.point] };
  let after = before;
  log(
    `PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} continuations${task.headings.ppoSuffix ?? ''}`,
  );
  for (let step = 1; step <= config.ppo.steps; step++) {
    const prompts = Array.from({ length: config.ppo.batchSize }, () => drawOne(train, rng));
    const batch = await rollout(prompts);
    const stats = await trainer.step(batch.queries, batch.responses, batch.scores.rewards);
    const point = task.trainPoint(step, batch.scores, stats);
    await tracker.log(task.trainMetrics(point), step);
    curve.train.push(point);
    log(`  ppo step ${step}: ${task.describeStep(point)} kl ${point.kl.toFixed(3)} (${seconds()} s)`);
    if (step % config.ppo.evalEvery === 0 || step === config.ppo.steps) {
      after = await evalAt(step);
      curve.eval.push(after.point);
    }
  }
  log(`  samples after PPO:\n    ${after.samples.join('\n    ')}`);

  const totalSeconds = seconds();
  const summary: H & ContinuationSummary<E, T> & P = {
    ...scorer.summary(),
    heldOutOpenings: test.length,
    evalSamples: evalPrompts.length,
    beforePpo: before.point,
    afterPpo: after.point,
    samplesBefore: before.samples,
    samplesAfter: after.samples,
    ...klStats(curve.train.map((p) => p.kl)),
    sftFinalLoss: round(sft.finalLoss),
    ...phaseSeconds,
    sftSeconds,
    ppoSeconds: remainingSeconds(totalSeconds, [...Object.values(phaseSeconds), sftSeconds]),
    totalSeconds,
    ...machineSummary(),
    curve,
  };
  await writeRunOutputs({
    runDir,
    summary,
    chart: learningCurve(task.chart, curve),
    checkpoint: task.saveCheckpoint ? { model: policy, tokenizer } : undefined,
  });
  await tracker.close();
  // trainer.dispose() frees the optimizer and the frozen reference copy; the policy is the caller's.
  trainer.dispose();
  policy.dispose();
  scorer.dispose?.();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}
