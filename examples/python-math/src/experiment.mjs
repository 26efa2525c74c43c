import { Rng } from '@trl/core';
import { round, startRun } from '@trl/example-kit/run';
import { runToolPpo } from '@trl/example-kit/tool-ppo';
import { Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { learningCurve } from './curve.mjs';
import { createPython, createPythonMathEnvironment, evaluate, summarizeEpisodes } from './environment.mjs';
import { heldOutProblems, sampleTrainingProblems } from './problems.mjs';
import { createPythonMathTokenizer, tokenizerCorpus } from './protocol.mjs';
import { runSft } from './sft.mjs';

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the Python interpreter → held-out evaluation. Writes logs, the learning
 * curve, a summary and the final checkpoint under `runDir`; returns the summary. The PPO phase is the
 * kit's `runToolPpo`; this file holds only the word-problem task.
 */
export async function runExperiment(config, { runDir, log = console.log }) {
  const { seconds, tracker } = await startRun({ config, runDir, log });
  const { test, isHeldOut } = heldOutProblems(config.testSize, config.seed);
  const rng = new Rng(config.seed + 1);
  const tokenizer = createPythonMathTokenizer(
    tokenizerCorpus(sampleTrainingProblems(config.tokenizerProblems, rng, isHeldOut)),
  );
  log(`tokenizer: byte-level BPE, ${tokenizer.vocabSize} tokens, learned from training transcripts`);
  const lm = Gpt2LMHeadModel.create(
    {
      ...config.model,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
    },
    { seed: config.seed },
  );
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
  const showEpisode = (history) => JSON.stringify(history.text);
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
      evaluate({
        model: policy,
        tokenizer,
        python,
        problems: test,
        config: config.env,
        seed: evalSeed,
        doSample,
      }),
    extraRates: [{ key: 'cleanRunRate', metric: 'clean_run_rate', label: 'clean' }],
    createEnvironment: () =>
      createPythonMathEnvironment({
        model: policy,
        tokenizer,
        python,
        config: config.env,
        seed: config.seed + 4,
      }),
    sampleBatch: () => {
      const problems = sampleTrainingProblems(config.ppo.batchSize, rng, isHeldOut);
      return {
        questions: problems.map((problem) => problem.question),
        answers: problems.map((problem) => problem.answer),
      };
    },
    summarizeEpisodes,
    heldOut: { key: 'heldOutProblems', count: test.length, noun: 'problems' },
    showEpisode,
    chart: learningCurve,
    sft: { finalLoss: sft.finalLoss, seconds: sftSeconds },
    close: () => python.close(),
  });
}
