import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { getBackendInfo, Rng, tf } from '@trl/core';
import { writeLearningCurve } from '@trl/example-kit/chart';
import { round, startRun } from '@trl/example-kit/run';
import { AutoModelForCausalLM, Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { statsToMetrics } from '@trl/textenv';
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
 *   sampled: ReturnType<typeof evalSummary>,
 *   greedy: ReturnType<typeof evalSummary>,
 *   withoutTool?: { sampled: number, greedy: number },
 * }} EvalPoint
 */

/** Picks the numbers worth printing from an evaluation. */
function evalSummary(result) {
  return {
    accuracy: round(result.accuracy),
    toolCallRate: round(result.toolCallRate),
    accuracyWithTool: round(result.accuracyWithTool),
    accuracyWithoutTool: round(result.accuracyWithoutTool),
  };
}

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
  let lastSampled;
  const evalAt = async (step, { withoutTool = false } = {}) => {
    const sampled = await play(wiki, true);
    const greedy = await play(wiki, false);
    /** @type {EvalPoint} */
    const point = { step, sampled: evalSummary(sampled), greedy: evalSummary(greedy) };
    const metrics = {
      'eval/accuracy': sampled.accuracy,
      'eval/tool_call_rate': sampled.toolCallRate,
      'eval/accuracy_greedy': greedy.accuracy,
      'eval/tool_call_rate_greedy': greedy.toolCallRate,
    };
    if (withoutTool) {
      // The same questions, the same model, but every search comes back empty.
      const blindSampled = await play(noWiki, true);
      const blindGreedy = await play(noWiki, false);
      point.withoutTool = { sampled: round(blindSampled.accuracy), greedy: round(blindGreedy.accuracy) };
      metrics['eval/accuracy_without_tool'] = blindSampled.accuracy;
      metrics['eval/accuracy_without_tool_greedy'] = blindGreedy.accuracy;
    }
    await tracker.log(metrics, step);
    log(
      `  eval @ppo step ${step}: sampled ${JSON.stringify(point.sampled)} greedy ${JSON.stringify(point.greedy)}` +
        `${point.withoutTool ? ` without the tool ${JSON.stringify(point.withoutTool)}` : ''} (${seconds()} s)`,
    );
    lastSampled = sampled;
    return point;
  };

  log(`Held-out evaluation after SFT (${world.test.length} questions)`);
  const afterSft = await evalAt(0, { withoutTool: true });
  log(
    `  examples:\n    ${lastSampled.histories
      .slice(0, 6)
      .map((h) => h.text)
      .join('\n    ')}`,
  );

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
  const env = createWikiEnvironment({
    model: policy,
    tokenizer,
    tool: wiki,
    config: config.env,
    seed: config.seed + 4,
  });
  const rng = new Rng(config.seed + 1);
  const curve = { train: [], eval: [afterSft] };
  let afterPpo = afterSft;
  log(`PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} episodes on the PPO entities`);
  for (let step = 1; step <= config.ppo.steps; step++) {
    const questions = sampleFrom(world.ppo, config.ppo.batchSize, rng);
    const {
      queries,
      responses: rows,
      masks,
      rewards,
      histories,
      stats,
    } = await env.run(
      questions.map((q) => q.question),
      { answers: questions.map((q) => q.answer) },
    );
    // An episode whose first turn produced no token has nothing to train on.
    const keep = rows.map((row) => row.length > 0);
    const pick = (list) => list.filter((_, i) => keep[i]);
    const ppoStats = await trainer.step(pick(queries), pick(rows), pick(rewards), pick(masks));
    const summary = summarizeEpisodes(histories, rewards);
    await tracker.log(
      {
        'env/reward_mean': summary.accuracy,
        'env/tool_call_rate': summary.toolCallRate,
        ...statsToMetrics(stats),
      },
      step,
    );
    curve.train.push({ step, reward: summary.accuracy, toolCallRate: summary.toolCallRate });
    log(
      `  ppo step ${step}: reward ${summary.accuracy.toFixed(3)} tool ${summary.toolCallRate.toFixed(3)} ` +
        `kl ${Number(ppoStats['objective/kl'] ?? Number.NaN).toFixed(3)} (${seconds()} s)`,
    );
    const last = step === config.ppo.steps;
    if (step % config.ppo.evalEvery === 0 || last) {
      afterPpo = await evalAt(step, { withoutTool: last });
      curve.eval.push(afterPpo);
    }
  }
  const wrong = lastSampled.histories.filter((_, i) => lastSampled.rewards[i] === 0).slice(0, 8);
  log(
    `  wrong held-out episodes after PPO (first ${wrong.length}):\n    ${wrong.map((h) => h.text).join('\n    ')}`,
  );

  const totalSeconds = seconds();
  const summary = {
    heldOutQuestions: world.test.length,
    afterSft,
    afterPpo,
    gainPoints: round((afterPpo.sampled.accuracy - afterSft.sampled.accuracy) * 100, 1),
    sftFinalLoss: round(sft.finalLoss),
    sftSeconds,
    ppoSeconds: round(totalSeconds - sftSeconds, 1),
    totalSeconds,
    backend: getBackendInfo().name,
    loadAverage: loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', learningCurveChart(curve));
  await policy.savePretrained(join(runDir, 'checkpoint'));
  await tokenizer.savePretrained(join(runDir, 'checkpoint'));
  await tracker.close();
  await wiki.close();
  await noWiki.close();
  trainer.dispose();
  policy.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
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
