import { join } from 'node:path';
import { Rng } from '@trl/core';
import { createGpt2 } from '@trl/example-kit/gpt2';
import { startRun } from '@trl/example-kit/run';
import { loadCachedWarmStart, toolLearningCurve } from '@trl/example-kit/tool-env';
import { type Curve, runToolPpo } from '@trl/example-kit/tool-ppo';
import { Gpt2WithValueHead } from '@trl/models';
import type { CalculatorConfig } from './config';
import { createCalculatorEnvironment, evaluate, summarizeEpisodes } from './environment';
import { createCalculatorTokenizer, tokenizerCorpus } from './protocol';
import { runSft } from './sft';
import { sampleTasks, splitTasks } from './tasks';

/** Where a run writes and logs; `sftCacheDir` is the tuning shortcut described at {@link runExperiment}. */
export interface ExperimentOptions {
  runDir: string;
  log?: (message: string) => void;
  sftCacheDir?: string | undefined;
}

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the calculator → held-out evaluation. Writes logs, the learning curve, a
 * summary, the SFT warm start and the final checkpoint under `runDir`; returns the summary. The PPO
 * phase is the kit's `runToolPpo`; this file holds only the calculator task. `sftCacheDir`: load the
 * warm start from there if it holds one, else train it and save it there (for comparing PPO variants
 * from one warm start; a normal run leaves it unset).
 */
export async function runExperiment(
  config: CalculatorConfig,
  { runDir, log = console.log, sftCacheDir }: ExperimentOptions,
) {
  const run = { runDir, log, ...(await startRun({ config, runDir, log })) };
  const { seconds, tracker } = run;
  const { test, train } = splitTasks(config.testSize, config.seed);
  const tokenizer = createCalculatorTokenizer(tokenizerCorpus(train));
  log(
    `tokenizer: byte-level BPE, ${tokenizer.vocabSize} tokens, learned from the training tasks' transcripts`,
  );
  const rng = new Rng(config.seed + 1);
  let lm = await loadCachedWarmStart(sftCacheDir);
  let sft = { finalLoss: Number.NaN };
  if (lm) {
    log(`SFT: warm start loaded from ${sftCacheDir}`);
  } else {
    lm = createGpt2(config.model, tokenizer, config.seed);
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
    ...run,
    config,
    policy,
    tokenizer,
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
export function learningCurve(curve: Curve) {
  return toolLearningCurve(curve, { title: 'Calculator tool use: PPO after the SFT warm start' });
}
