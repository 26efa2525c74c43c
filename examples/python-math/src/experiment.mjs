import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Rng, tf } from '@trl/core';
import { round, startRun } from '@trl/example-kit/run';
import { Gpt2LMHeadModel, Gpt2WithValueHead } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { statsToMetrics } from '@trl/textenv';
import { writeCurveFiles } from './curve.mjs';
import { createPython, createPythonMathEnvironment, evaluate, summarizeEpisodes } from './environment.mjs';
import { heldOutProblems, sampleTrainingProblems } from './problems.mjs';
import { createPythonMathTokenizer, tokenizerCorpus } from './protocol.mjs';
import { runSft } from './sft.mjs';

/** Picks the numbers worth printing from an evaluation. */
function evalSummary(result) {
  return {
    accuracy: round(result.accuracy),
    toolCallRate: round(result.toolCallRate),
    cleanRunRate: round(result.cleanRunRate),
    accuracyWithTool: round(result.accuracyWithTool),
    accuracyWithoutTool: round(result.accuracyWithoutTool),
  };
}

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start → held-out evaluation → PPO in
 * the TextEnvironment with the Python interpreter → held-out evaluation. Writes logs, the learning
 * curve, a summary and the final checkpoint under `runDir`; returns the summary.
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
  let lastEval;
  const evalAt = async (step) => {
    const common = { model: policy, tokenizer, python, problems: test, config: config.env, seed: evalSeed };
    const sampled = await evaluate(common);
    const greedy = await evaluate({ ...common, doSample: false });
    const point = { step, sampled: evalSummary(sampled), greedy: evalSummary(greedy) };
    await tracker.log(
      {
        'eval/accuracy': sampled.accuracy,
        'eval/tool_call_rate': sampled.toolCallRate,
        'eval/clean_run_rate': sampled.cleanRunRate,
        'eval/accuracy_greedy': greedy.accuracy,
        'eval/tool_call_rate_greedy': greedy.toolCallRate,
        'eval/clean_run_rate_greedy': greedy.cleanRunRate,
      },
      step,
    );
    log(
      `  eval @ppo step ${step}: sampled ${JSON.stringify(point.sampled)} greedy ${JSON.stringify(point.greedy)} (${seconds()} s)`,
    );
    lastEval = { point, sampled };
    return lastEval;
  };

  log(`Held-out evaluation after SFT (${test.length} problems)`);
  const afterSft = await evalAt(0);
  const examples = afterSft.sampled.histories.slice(0, 4).map((h) => JSON.stringify(h.text));
  log(`  examples:\n    ${examples.join('\n    ')}`);

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
  const env = createPythonMathEnvironment({
    model: policy,
    tokenizer,
    python,
    config: config.env,
    seed: config.seed + 4,
  });
  const curve = { train: [], eval: [afterSft.point] };
  let afterPpo = afterSft.point;
  log(`PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} episodes`);
  for (let step = 1; step <= config.ppo.steps; step++) {
    const problems = sampleTrainingProblems(config.ppo.batchSize, rng, isHeldOut);
    const { queries, responses, masks, rewards, histories, stats } = await env.run(
      problems.map((problem) => problem.question),
      { answers: problems.map((problem) => problem.answer) },
    );
    // An episode whose first turn was empty has no token to train on.
    const keep = responses.map((response) => response.length > 0);
    const pick = (rows) => rows.filter((_, i) => keep[i]);
    const ppoStats = await trainer.step(pick(queries), pick(responses), pick(rewards), pick(masks));
    const summary = summarizeEpisodes(histories, rewards);
    await tracker.log(
      {
        'env/reward_mean': summary.accuracy,
        'env/tool_call_rate': summary.toolCallRate,
        'env/clean_run_rate': summary.cleanRunRate,
        ...statsToMetrics(stats),
      },
      step,
    );
    curve.train.push({ step, reward: summary.accuracy, toolCallRate: summary.toolCallRate });
    log(
      `  ppo step ${step}: reward ${summary.accuracy.toFixed(3)} tool ${summary.toolCallRate.toFixed(3)} ` +
        `clean ${summary.cleanRunRate.toFixed(3)} kl ${Number(ppoStats['objective/kl'] ?? Number.NaN).toFixed(3)} (${seconds()} s)`,
    );
    if (step % config.ppo.evalEvery === 0 || step === config.ppo.steps) {
      afterPpo = (await evalAt(step)).point;
      curve.eval.push(afterPpo);
    }
  }
  const final = lastEval.sampled;
  const wrong = final.histories.filter((_, i) => final.rewards[i] === 0).slice(0, 8);
  log(
    `  wrong held-out episodes after PPO (first ${wrong.length}):\n    ${wrong.map((h) => JSON.stringify(h.text)).join('\n    ')}`,
  );

  const totalSeconds = seconds();
  const summary = {
    heldOutProblems: test.length,
    afterSft: afterSft.point,
    afterPpo,
    gainPoints: round((afterPpo.sampled.accuracy - afterSft.point.sampled.accuracy) * 100, 1),
    sftFinalLoss: round(sft.finalLoss),
    sftSeconds,
    ppoSeconds: round(totalSeconds - sftSeconds, 1),
    totalSeconds,
    loadAverage: loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeCurveFiles(curve, runDir);
  await policy.savePretrained(join(runDir, 'checkpoint'));
  await tokenizer.savePretrained(join(runDir, 'checkpoint'));
  await tracker.close();
  await python.close();
  trainer.optimizer.dispose();
  policy.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}
