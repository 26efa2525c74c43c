import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@trl/core';
import { startRun } from '@trl/example-kit/run';
import { runToolPpo } from '@trl/example-kit/tool-ppo';
import { AutoModelForCausalLM, Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { createCalculatorEnvironment, evaluate, summarizeEpisodes } from './environment.mjs';
import { createCalculatorTokenizer, tokenizerCorpus } from './protocol.mjs';
import { runSft } from './sft.mjs';
import { sampleTasks, splitTasks } from './tasks.mjs';

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the calculator → held-out evaluation. Writes logs, the learning curve, a
 * summary, the SFT warm start and the final checkpoint under `runDir`; returns the summary. The PPO
 * phase is the kit's `runToolPpo`; this file holds only the calculator task.
 * @param {typeof import('./config.mjs').FULL_CONFIG} config
 * @param {{
 *   runDir: string,
 *   log?: (message: string) => void,
 *   sftCacheDir?: string,
 * }} options `sftCacheDir`: load the warm start from there if it holds one, else train it and save it
 *   there (for comparing PPO variants from one warm start; a normal run leaves it unset).
 */
export async function runExperiment(config, { runDir, log = console.log, sftCacheDir }) {
  const { seconds, tracker } = await startRun({ config, runDir, log });
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
  return runToolPpo({
    policy,
    tokenizer,
    tracker,
    runDir,
    log,
    seconds,
    seed: config.seed,
    ppo: config.ppo,
    evaluate: (doSample) =>
      evaluate({ model: policy, tokenizer, tasks: test, config: config.env, seed: evalSeed, doSample }),
    createEnvironment: () =>
      createCalculatorEnvironment({ model: policy, tokenizer, config: config.env, seed: config.seed + 4 }),
    sampleBatch: () => {
      const tasks = sampleTasks(train, config.ppo.batchSize, rng);
      return { questions: tasks.map((task) => task.question), answers: tasks.map((task) => task.answer) };
    },
    summarizeEpisodes,
    heldOut: { key: 'heldOutTasks', count: test.length, noun: 'tasks' },
    chart: learningCurve,
    sft: { finalLoss: sft.finalLoss, seconds: sftSeconds },
  });
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
