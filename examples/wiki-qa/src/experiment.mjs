import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@trl/core';
import { round, startRun } from '@trl/example-kit/run';
import { runToolPpo } from '@trl/example-kit/tool-ppo';
import { AutoModelForCausalLM, Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { sampleFrom, splitWorld } from './entities.mjs';
import { createWikiEnvironment, evaluate, summarizeEpisodes } from './environment.mjs';
import {
  createDisabledWikiTool,
  createWikiTokenizer,
  createWikiTool,
  lookUpAll,
  tokenizerCorpus,
} from './protocol.mjs';
import { runSft } from './sft.mjs';

/**
 * Held-out results at one PPO step; `withoutTool` (accuracy with every search coming back empty) only
 * after SFT and after the last step.
 * @typedef {{
 *   step: number,
 *   sampled: Record<string, number>,
 *   greedy: Record<string, number>,
 *   withoutTool?: { sampled: number, greedy: number },
 * }} EvalPoint
 */

/** A fresh GPT-2 sized by `config.model` for `tokenizer`, or the warm start saved in `sftCacheDir`. */
async function createModel(config, tokenizer, sftCacheDir) {
  if (sftCacheDir !== undefined && existsSync(join(sftCacheDir, 'config.json'))) {
    return { lm: await AutoModelForCausalLM.fromPretrained(sftCacheDir), cached: true };
  }
  const lm = Gpt2LMHeadModel.create(
    {
      ...config.model,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
    },
    { seed: config.seed },
  );
  return { lm, cached: false };
}

/**
 * The whole example: generated world → tokenizer → GPT-2 from scratch → SFT warm start → held-out
 * evaluation with and without the tool → PPO in the TextEnvironment with WikiSearch → the same
 * evaluations. Writes logs, the learning curve, a summary and the final checkpoint under `runDir`;
 * returns the summary. `sftCacheDir` (tuning only) loads a saved warm start, or saves one there.
 * @param {typeof import('./config.mjs').FULL_CONFIG} config
 * @param {{ runDir: string, log?: (line: string) => void, sftCacheDir?: string }} options
 * @returns {Promise<Awaited<ReturnType<typeof runToolPpo>> & { afterSft: EvalPoint, afterPpo: EvalPoint }>}
 */
export async function runExperiment(config, { runDir, log = console.log, sftCacheDir }) {
  const { seconds, tracker } = await startRun({ config, runDir, log });
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

  const { lm, cached } = await createModel(config, tokenizer, sftCacheDir);
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
  const play = (tool, doSample) =>
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
    policy,
    tokenizer,
    tracker,
    runDir,
    log,
    seconds,
    seed: config.seed,
    ppo: config.ppo,
    evaluate: (doSample) => play(wiki, doSample),
    // After SFT and after the last step: the same questions, the same model, but every search
    // comes back empty, which shows how much of the accuracy the tool carries.
    extraEval: async (step) => {
      if (step !== 0 && step !== config.ppo.steps) return undefined;
      const blindSampled = await play(noWiki, true);
      const blindGreedy = await play(noWiki, false);
      const withoutTool = { sampled: round(blindSampled.accuracy), greedy: round(blindGreedy.accuracy) };
      return {
        point: { withoutTool },
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
export function learningCurveChart(curve) {
  const blind = curve.eval.filter((p) => p.withoutTool);
  return {
    title: 'Wiki QA: PPO with WikiSearch after the SFT warm start',
    xLabel: 'PPO step',
    yLabel: 'rate',
    yDomain: [0, 1],
    series: [
      {
        name: 'held-out accuracy',
        points: curve.eval.map((p) => ({ x: p.step, y: p.sampled.accuracy })),
        markers: true,
      },
      {
        name: 'held-out acc. (greedy)',
        points: curve.eval.map((p) => ({ x: p.step, y: p.greedy.accuracy })),
        markers: true,
      },
      {
        name: 'held-out tool calls',
        points: curve.eval.map((p) => ({ x: p.step, y: p.sampled.toolCallRate })),
        markers: true,
      },
      {
        name: 'acc. without the tool',
        points: blind.map((p) => ({ x: p.step, y: p.withoutTool.sampled })),
        markers: true,
      },
      {
        name: 'PPO batch reward',
        points: curve.train.map((p) => ({ x: p.step, y: p.reward })),
        dashed: true,
      },
    ],
  };
}
