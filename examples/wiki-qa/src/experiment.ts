import { Rng } from '@trl/core';
import { createGpt2 } from '@trl/example-kit/gpt2';
import { round, startRun } from '@trl/example-kit/run';
import { evalSeries, loadCachedWarmStart, toolLearningCurve } from '@trl/example-kit/tool-env';
import { type Curve, type EvalPoint, runToolPpo } from '@trl/example-kit/tool-ppo';
import { Gpt2WithValueHead } from '@trl/models';
import type { WikiSearch } from '@trl/tools-wiki';
import type { WikiQaConfig } from './config';
import { sampleFrom, splitWorld } from './entities';
import { createWikiEnvironment, evaluate, summarizeEpisodes } from './environment';
import {
  createDisabledWikiTool,
  createWikiTokenizer,
  createWikiTool,
  lookUpAll,
  tokenizerCorpus,
} from './protocol';
import { runSft } from './sft';

/**
 * What the wiki example adds to a held-out point: accuracy with every search coming back empty,
 * only after SFT and after the last step.
 */
export interface WithoutToolPoint {
  withoutTool: { sampled: number; greedy: number };
}

/** Held-out results at one PPO step (see {@link WithoutToolPoint}). */
export type WikiEvalPoint = EvalPoint<WithoutToolPoint>;

/**
 * The whole example: generated world → tokenizer → GPT-2 from scratch → SFT warm start → held-out
 * evaluation with and without the tool → PPO in the TextEnvironment with WikiSearch → the same
 * evaluations. Writes logs, the learning curve, a summary and the final checkpoint under `runDir`;
 * returns the summary. `sftCacheDir` (tuning only) loads a saved warm start, or saves one there.
 */
export async function runExperiment(
  config: WikiQaConfig,
  {
    runDir,
    log = console.log,
    sftCacheDir,
  }: { runDir: string; log?: (line: string) => void; sftCacheDir?: string | undefined },
) {
  const run = { runDir, log, ...(await startRun({ config, runDir, log })) };
  const { seconds, tracker } = run;
  const world = splitWorld(config.entities, config.seed);
  const wiki = createWikiTool(world.entities);
  const noWiki = createDisabledWikiTool();
  log(
    `world: ${world.entities.length} entities in the corpus; questions: ${world.sft.length} SFT, ` +
      `${world.ppo.length} PPO, ${world.test.length} held out`,
  );
  const responses = await lookUpAll(wiki, world.sft);
  const tokenizer = createWikiTokenizer(tokenizerCorpus(world.sft, responses));
  log(`tokenizer: byte-level BPE, ${tokenizer.vocabSize} tokens, learned from the SFT transcripts`);

  const cached = await loadCachedWarmStart(sftCacheDir);
  const lm = cached ?? createGpt2(config.model, tokenizer, config.seed);
  let sft = { finalLoss: Number.NaN };
  if (cached) {
    log(`SFT: warm start loaded from ${sftCacheDir}`);
  } else {
    log(
      `SFT: ${config.sft.steps} steps × ${config.sft.batchSize} transcripts (${config.sft.toolFraction * 100}% search the wiki)`,
    );
    sft = await runSft({
      model: lm,
      tokenizer,
      pool: world.sft,
      responses,
      config: { ...config.sft, seed: config.seed + 2 },
      tracker,
      onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
    });
    if (sftCacheDir !== undefined) await lm.savePretrained(sftCacheDir);
  }
  const sftSeconds = seconds();

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
  const evalSeed = config.seed + 1000;
  const play = (tool: WikiSearch, doSample: boolean) =>
    evaluate({
      model: policy,
      tokenizer,
      tool,
      questions: world.test,
      config: config.env,
      seed: evalSeed,
      doSample,
    });
  const rng = new Rng(config.seed + 1);
  return runToolPpo({
    ...run,
    config,
    policy,
    tokenizer,
    evaluate: (doSample) => play(wiki, doSample),
    // After SFT and after the last step: the same questions, the same model, but every search
    // comes back empty, which shows how much of the accuracy the tool carries.
    extraEval: async (step) => {
      if (step !== 0 && step !== config.ppo.steps) return undefined;
      const blindSampled = await play(noWiki, true);
      const blindGreedy = await play(noWiki, false);
      const withoutTool = { sampled: round(blindSampled.accuracy), greedy: round(blindGreedy.accuracy) };
      const point: WithoutToolPoint = { withoutTool };
      return {
        point,
        metrics: {
          'eval/accuracy_without_tool': blindSampled.accuracy,
          'eval/accuracy_without_tool_greedy': blindGreedy.accuracy,
        },
        logSuffix: ` without the tool ${JSON.stringify(withoutTool)}`,
      };
    },
    createEnvironment: () =>
      createWikiEnvironment({
        model: policy,
        tokenizer,
        tool: wiki,
        config: config.env,
        seed: config.seed + 4,
      }),
    sampleBatch: () => {
      const questions = sampleFrom(world.ppo, config.ppo.batchSize, rng);
      return { questions: questions.map((q) => q.question), answers: questions.map((q) => q.answer) };
    },
    summarizeEpisodes,
    heldOut: { key: 'heldOutQuestions', count: world.test.length, noun: 'questions' },
    batchNoun: 'episodes on the PPO entities',
    exampleCount: 6,
    chart: learningCurveChart,
    sft: { finalLoss: sft.finalLoss, seconds: sftSeconds },
    close: async () => {
      await wiki.close();
      await noWiki.close();
    },
  });
}

/** The learning curve for `writeLearningCurve`: held-out accuracy with and without the tool, tool-call rate, batch reward. */
export function learningCurveChart(curve: Curve<WithoutToolPoint>) {
  const blind = curve.eval.filter((p): p is WikiEvalPoint & WithoutToolPoint => p.withoutTool !== undefined);
  return toolLearningCurve(curve, {
    title: 'Wiki QA: PPO with WikiSearch after the SFT warm start',
    extraSeries: [evalSeries('acc. without the tool', blind, (p) => p.withoutTool.sampled)],
    trainName: 'PPO batch reward',
  });
}
