import { Rng } from '@trl/core';
import { createGpt2 } from '@trl/example-kit/gpt2';
import { round, startRun } from '@trl/example-kit/run';
import { evalSeries, toolLearningCurve } from '@trl/example-kit/tool-env';
import { type Curve, runToolPpo } from '@trl/example-kit/tool-ppo';
import { Gpt2WithValueHead } from '@trl/models';
import type { PythonMathConfig } from './config';
import { createPython, createPythonMathEnvironment, evaluate, summarizeEpisodes } from './environment';
import { heldOutProblems, sampleTrainingProblems } from './problems';
import { createPythonMathTokenizer, tokenizerCorpus } from './protocol';
import { runSft } from './sft';

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the Python interpreter → held-out evaluation. Writes logs, the learning
 * curve, a summary and the final checkpoint under `runDir`; returns the summary. The PPO phase is the
 * kit's `runToolPpo`; this file holds only the word-problem task.
 */
export async function runExperiment(
  config: PythonMathConfig,
  { runDir, log = console.log }: { runDir: string; log?: (line: string) => void },
) {
  const run = { runDir, log, ...(await startRun({ config, runDir, log })) };
  const { seconds, tracker } = run;
  const { test, isHeldOut } = heldOutProblems(config.testSize, config.seed);
  const rng = new Rng(config.seed + 1);
  const tokenizer = createPythonMathTokenizer(
    tokenizerCorpus(sampleTrainingProblems(config.tokenizerProblems, rng, isHeldOut)),
  );
  log(`tokenizer: byte-level BPE, ${tokenizer.vocabSize} tokens, learned from training transcripts`);
  const lm = createGpt2(config.model, tokenizer, config.seed);
  // Pyodide loads in a worker thread while SFT trains; one warm interpreter serves every episode.
  const python = createPython(config.env);
  const pythonReady = python.ready();

  const { programFraction, slipFraction } = config.sft;
  log(
    `SFT: ${config.sft.steps} steps × ${config.sft.batchSize} transcripts (${round(programFraction * 100, 1)}% right programs, ` +
      `${round(slipFraction * 100, 1)}% programs with a slip, the rest answer directly)`,
  );
  const sft = await runSft({
    model: lm,
    tokenizer,
    isHeldOut,
    config: { ...config.sft, seed: config.seed + 2 },
    tracker,
    onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
  });
  const sftSeconds = seconds();
  await pythonReady;

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
  const evalSeed = config.seed + 1000;
  const environment = (seed: number, doSample?: boolean) => ({
    model: policy,
    tokenizer,
    python,
    config: config.env,
    seed,
    ...(doSample === undefined ? {} : { doSample }),
  });
  return runToolPpo({
    ...run,
    config,
    policy,
    tokenizer,
    evaluate: (doSample) => evaluate({ ...environment(evalSeed, doSample), problems: test }),
    extraRates: [{ key: 'cleanRunRate', metric: 'clean_run_rate', label: 'clean' }],
    createEnvironment: () => createPythonMathEnvironment(environment(config.seed + 4)),
    sampleBatch: () => {
      const problems = sampleTrainingProblems(config.ppo.batchSize, rng, isHeldOut);
      return {
        questions: problems.map((problem) => problem.question),
        answers: problems.map((problem) => problem.answer),
      };
    },
    summarizeEpisodes,
    heldOut: { key: 'heldOutProblems', count: test.length, noun: 'problems' },
    showEpisode: (history) => JSON.stringify(history.text),
    chart: learningCurve,
    sft: { finalLoss: sft.finalLoss, seconds: sftSeconds },
    close: () => python.close(),
  });
}

/**
 * The learning curve as a chart (the kit's `runToolPpo` writes it): held-out accuracy (sampled and
 * greedy), tool-call rate and share of programs that ran cleanly at each evaluation, and the reward
 * of each PPO training batch.
 */
export function learningCurve(curve: Curve) {
  return toolLearningCurve(curve, {
    title: 'Python word problems: PPO after the SFT warm start',
    extraSeries: [evalSeries('programs ran clean', curve.eval, (p) => Number(p.sampled.cleanRunRate))],
  });
}
