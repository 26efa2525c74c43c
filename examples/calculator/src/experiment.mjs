import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLrSchedule,
  getBackendInfo,
  initBackend,
  JsonlTracker,
  MultiTracker,
  Rng,
  TensorBoardTracker,
  tf,
} from '@trl/core';
import { writeLearningCurve } from '@trl/example-kit/chart';
import { AutoModelForCausalLM, Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { statsToMetrics } from '@trl/textenv';
import { createCalculatorEnvironment, evaluate, summarizeEpisodes } from './environment.mjs';
import { createCalculatorTokenizer, tokenizerCorpus } from './protocol.mjs';
import { runSft } from './sft.mjs';
import { sampleTasks, splitTasks } from './tasks.mjs';

function round(value, digits = 4) {
  return Number(value.toFixed(digits));
}

/** Picks the numbers worth printing from an evaluation. */
function evalSummary(result) {
  return {
    accuracy: round(result.accuracy),
    toolCallRate: round(result.toolCallRate),
    accuracyWithTool: round(result.accuracyWithTool),
    accuracyWithoutTool: round(result.accuracyWithoutTool),
  };
}

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the calculator → held-out evaluation. Writes logs, the learning curve, a
 * summary, the SFT warm start and the final checkpoint under `runDir`; returns the summary.
 * @param {typeof import('./config.mjs').FULL_CONFIG} config
 * @param {{
 *   runDir: string,
 *   log?: (message: string) => void,
 *   sftCacheDir?: string,
 * }} options `sftCacheDir`: load the warm start from there if it holds one, else train it and save it
 *   there (for comparing PPO variants from one warm start; a normal run leaves it unset).
 */
export async function runExperiment(config, { runDir, log = console.log, sftCacheDir }) {
  const started = performance.now();
  const seconds = () => round((performance.now() - started) / 1000, 1);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await initBackend(config.backend);
  const backend = getBackendInfo();
  log(`backend: ${backend.name ?? JSON.stringify(backend)}`);
  const tracker = new MultiTracker([
    new JsonlTracker(join(runDir, 'metrics.jsonl'), { append: false }),
    new TensorBoardTracker(join(runDir, 'tensorboard')),
  ]);

  const { test, train } = splitTasks(config.testSize, config.seed);
  const tokenizer = createCalculatorTokenizer(tokenizerCorpus(train));
  log(
    `tokenizer: byte-level BPE, ${tokenizer.vocabSize} tokens, learned from the training tasks' transcripts`,
  );
  const rng = new Rng(config.seed + 1);
  const cached = sftCacheDir !== undefined && existsSync(join(sftCacheDir, 'config.json'));
  let lm;
  let sft = { finalLoss: Number.NaN };
  if (cached) {
    // Tuning shortcut: PPO variants start from one saved warm start instead of redoing SFT.
    lm = await AutoModelForCausalLM.fromPretrained(sftCacheDir);
    log(`SFT: warm start loaded from ${sftCacheDir}`);
  } else {
    lm = Gpt2LMHeadModel.create(
      {
        ...config.model,
        vocab_size: tokenizer.vocabSize,
        bos_token_id: tokenizer.eosTokenId,
        eos_token_id: tokenizer.eosTokenId,
      },
      { seed: config.seed },
    );

    log(
      `SFT: ${config.sft.steps} steps × ${config.sft.batchSize} transcripts (${config.sft.toolFraction * 100}% with the tool)`,
    );
    sft = await runSft({
      model: lm,
      tokenizer,
      pool: train,
      config: { ...config.sft, seed: config.seed + 2 },
      tracker,
      onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
    });
    // Kept with the run, so PPO variants can start from this warm start (`sftCacheDir`).
    await lm.savePretrained(sftCacheDir ?? join(runDir, 'sft-checkpoint'));
  }
  const sftSeconds = seconds();

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
  const evalSeed = config.seed + 1000;
  const evalAt = async (step) => {
    const sampled = await evaluate({
      model: policy,
      tokenizer,
      tasks: test,
      config: config.env,
      seed: evalSeed,
    });
    const greedy = await evaluate({
      model: policy,
      tokenizer,
      tasks: test,
      config: config.env,
      seed: evalSeed,
      doSample: false,
    });
    const point = { step, sampled: evalSummary(sampled), greedy: evalSummary(greedy) };
    await tracker.log(
      {
        'eval/accuracy': sampled.accuracy,
        'eval/tool_call_rate': sampled.toolCallRate,
        'eval/accuracy_greedy': greedy.accuracy,
        'eval/tool_call_rate_greedy': greedy.toolCallRate,
      },
      step,
    );
    log(
      `  eval @ppo step ${step}: sampled ${JSON.stringify(point.sampled)} greedy ${JSON.stringify(point.greedy)} (${seconds()} s)`,
    );
    lastEval = { point, sampled };
    return lastEval;
  };
  let lastEval;

  log(`Held-out evaluation after SFT (${test.length} tasks)`);
  const afterSft = await evalAt(0);
  const example = afterSft.sampled.histories.slice(0, 4).map((h) => h.text);
  log(`  examples:\n    ${example.join('\n    ')}`);

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
      cliprange: config.ppo.cliprange,
      cliprangeValue: config.ppo.cliprangeValue,
      vfCoef: config.ppo.vfCoef,
      whitenRewards: config.ppo.whitenRewards,
      seed: config.seed,
    },
    lrScheduler: createLrSchedule({
      kind: config.ppo.lrSchedule ?? 'constant',
      baseLr: config.ppo.learningRate,
      totalSteps: config.ppo.steps,
    }),
  });
  const env = createCalculatorEnvironment({
    model: policy,
    tokenizer,
    config: config.env,
    seed: config.seed + 4,
  });
  const curve = { train: [], eval: [afterSft.point] };
  let afterPpo = afterSft.point;
  log(`PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} episodes`);
  for (let step = 1; step <= config.ppo.steps; step++) {
    const tasks = sampleTasks(train, config.ppo.batchSize, rng);
    const answers = tasks.map((task) => task.answer);
    const { queries, responses, masks, rewards, histories, stats } = await env.run(
      tasks.map((task) => task.question),
      { answers },
    );
    const keep = responses.map((response) => response.length > 0);
    const pick = (rows) => rows.filter((_, i) => keep[i]);
    const ppoStats = await trainer.step(pick(queries), pick(responses), pick(rewards), pick(masks));
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
    if (step % config.ppo.evalEvery === 0 || step === config.ppo.steps) {
      afterPpo = (await evalAt(step)).point;
      curve.eval.push(afterPpo);
    }
  }
  const finalEpisodes = lastEval?.sampled;
  if (finalEpisodes) {
    const wrong = finalEpisodes.histories.filter((_, i) => finalEpisodes.rewards[i] === 0).slice(0, 8);
    log(
      `  wrong held-out episodes after PPO (first ${wrong.length}):\n    ${wrong.map((h) => h.text).join('\n    ')}`,
    );
  }

  const totalSeconds = seconds();
  const summary = {
    heldOutTasks: test.length,
    afterSft: afterSft.point,
    afterPpo,
    gainPoints: round((afterPpo.sampled.accuracy - afterSft.point.sampled.accuracy) * 100, 1),
    sftFinalLoss: round(sft.finalLoss),
    sftSeconds,
    ppoSeconds: round(totalSeconds - sftSeconds, 1),
    totalSeconds,
    backend: backend.name,
    loadAverage: (await import('node:os')).loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', learningCurve(curve));
  await policy.savePretrained(join(runDir, 'checkpoint'));
  await tokenizer.savePretrained(join(runDir, 'checkpoint'));
  await tracker.close();
  trainer.optimizer.dispose();
  policy.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}

/**
 * The learning curve (a `@trl/example-kit/chart` line chart): held-out accuracy and tool-call rate, and
 * the training-batch reward, per PPO step.
 */
export function learningCurve(curve) {
  return {
    title: 'Calculator tool use: PPO after the SFT warm start',
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
        name: 'train batch reward',
        points: curve.train.map((p) => ({ x: p.step, y: p.reward })),
        dashed: true,
      },
    ],
  };
}
