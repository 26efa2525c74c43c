import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { getBackendInfo, Rng, tf } from '@trl/core';
import { writeLearningCurve } from '@trl/example-kit/chart';
import { generateContinuations, mean, round, startRun } from '@trl/example-kit/run';
import { runSft } from '@trl/example-kit/sft';
import { Gpt2LMHeadModel, Gpt2WithValueHead, trainBpeTokenizer } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { allOpenings, positivity, sampleReviews, splitOpenings } from './pairs.mjs';
import { trainRewardModel } from './reward-model.mjs';

/**
 * Continues every prompt once with the policy and scores prompt + continuation (special tokens
 * dropped) with the reward model; also returns the hidden positivity of each continuation, which
 * the policy never sees, to check the learned reward is not being gamed.
 */
export async function rollout({ trainer, rewardModel, tokenizer, prompts, generation, seed }) {
  const { queries, responses, texts } = await generateContinuations({
    trainer,
    tokenizer,
    prompts,
    generation,
    seed,
  });
  const rewards = rewardModel.score(prompts.map((prompt, i) => prompt + texts[i]));
  return { queries, responses, texts, rewards, positivity: texts.map(positivity) };
}

/** `eval_accuracy` per evaluation of the reward-model trainer's log, for the chart. */
function rewardModelCurve(logPath) {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((row) => typeof row.eval_accuracy === 'number')
    .map((row) => ({ step: row.step, accuracy: row.eval_accuracy }));
}

/**
 * The whole example: tokenizer → reward model trained on generated preference pairs (held-out pair
 * accuracy) → policy GPT-2 with an SFT warm start → PPO with the reward model's score as the reward
 * and a KL penalty to the SFT model. Writes logs, the learning curve and a summary under `runDir`.
 */
export async function runExperiment(config, { runDir, log = console.log }) {
  const { seconds, tracker } = await startRun({ config, runDir, log });
  const { test, train } = splitOpenings(config.testSize, config.seed);
  const tokenizer = trainBpeTokenizer(sampleReviews(allOpenings(), 2000, new Rng(config.seed + 5)), {
    vocabSize: config.vocabSize,
    specialTokens: ['<|endoftext|>', '<|pad|>'],
  });
  log(`tokenizer: byte-level BPE with ${tokenizer.vocabSize} tokens learned from generated reviews`);

  log(`Reward model: ${config.reward.maxSteps} steps × ${config.reward.batchSize} pairs`);
  const rewardDir = join(runDir, 'reward-model');
  const rm = await trainRewardModel({
    tokenizer,
    modelConfig: config.model,
    config: config.reward,
    train,
    test,
    rng: new Rng(config.seed + 6),
    outputDir: rewardDir,
    seed: config.seed + 7,
  });
  const rewardModelSeconds = seconds();
  log(
    `  held-out pair accuracy (${rm.evalPairs.length} pairs of unseen openings): untrained ` +
      `${(rm.untrained.eval_accuracy * 100).toFixed(1)}%, trained ${(rm.trained.eval_accuracy * 100).toFixed(1)}% (${seconds()} s)`,
  );

  const lm = Gpt2LMHeadModel.create(
    {
      ...config.model,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
    },
    { seed: config.seed },
  );
  log(`Policy SFT: ${config.sft.steps} steps × ${config.sft.batchSize} reviews`);
  const sft = await runSft({
    model: lm,
    tokenizer,
    sampleTexts: (count, rng) => sampleReviews(train, count, rng),
    config: { ...config.sft, seed: config.seed + 2 },
    tracker,
    onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
  });
  const sftSeconds = round(seconds() - rewardModelSeconds, 1);

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
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
  const rewardModel = rm.trainer;
  const evalPrompts = test.flatMap((opening) => Array.from({ length: config.evalSamples }, () => opening));
  const evalAt = async (step) => {
    const result = await rollout({
      trainer,
      rewardModel,
      tokenizer,
      prompts: evalPrompts,
      generation: config.generation,
      seed: config.seed + 1000,
    });
    const point = {
      step,
      rewardModelScore: round(mean(result.rewards)),
      positivity: round(mean(result.positivity)),
    };
    await tracker.log(
      { 'eval/reward_model_score': point.rewardModelScore, 'eval/positivity': point.positivity },
      step,
    );
    log(`  eval @ppo step ${step}: ${JSON.stringify(point)} (${seconds()} s)`);
    const samples = evalPrompts
      .map(
        (prompt, i) =>
          `${prompt}${result.texts[i]}  [rm ${result.rewards[i].toFixed(2)}, positivity ${result.positivity[i]}]`,
      )
      .filter((_, i) => i % config.evalSamples === 0);
    return { point, samples };
  };

  log(`Held-out policy evaluation after SFT (${test.length} openings × ${config.evalSamples} samples)`);
  const before = await evalAt(0);
  log(`  samples:\n    ${before.samples.join('\n    ')}`);
  const rng = new Rng(config.seed + 4);
  /** @type {{ train: { step: number, reward: number, positivity: number, kl: number }[], eval: (typeof before.point)[] }} */
  const curve = { train: [], eval: [before.point] };
  let after = before;
  log(
    `PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} continuations, reward = the reward model's score`,
  );
  for (let step = 1; step <= config.ppo.steps; step++) {
    const prompts = Array.from({ length: config.ppo.batchSize }, () => train[rng.nextInt(train.length)]);
    const batch = await rollout({ trainer, rewardModel, tokenizer, prompts, generation: config.generation });
    const stats = await trainer.step(batch.queries, batch.responses, batch.rewards);
    const point = {
      step,
      reward: round(mean(batch.rewards)),
      positivity: round(mean(batch.positivity)),
      kl: round(Number(stats['objective/kl'])),
    };
    await tracker.log({ 'env/reward_mean': point.reward, 'env/positivity': point.positivity }, step);
    curve.train.push(point);
    log(
      `  ppo step ${step}: rm score ${point.reward.toFixed(3)} positivity ${point.positivity.toFixed(3)} ` +
        `kl ${point.kl.toFixed(3)} (${seconds()} s)`,
    );
    if (step % config.ppo.evalEvery === 0 || step === config.ppo.steps) {
      after = await evalAt(step);
      curve.eval.push(after.point);
    }
  }
  log(`  samples after PPO:\n    ${after.samples.join('\n    ')}`);

  const totalSeconds = seconds();
  const kls = curve.train.map((p) => p.kl);
  const summary = {
    rewardModel: {
      evalPairs: rm.evalPairs.length,
      untrainedAccuracy: round(rm.untrained.eval_accuracy),
      accuracy: round(rm.trained.eval_accuracy),
      evalLoss: round(rm.trained.eval_loss),
      evalMargin: round(rm.trained.eval_margin),
      curve: rewardModelCurve(join(rewardDir, 'logs.jsonl')),
    },
    heldOutOpenings: test.length,
    evalSamples: evalPrompts.length,
    beforePpo: before.point,
    afterPpo: after.point,
    samplesBefore: before.samples,
    samplesAfter: after.samples,
    finalKl: kls.at(-1),
    medianKl: round(kls.slice().sort((a, b) => a - b)[Math.floor(kls.length / 2)]),
    maxKl: round(Math.max(...kls)),
    sftFinalLoss: round(sft.finalLoss),
    rewardModelSeconds,
    sftSeconds,
    ppoSeconds: round(totalSeconds - rewardModelSeconds - sftSeconds, 1),
    totalSeconds,
    backend: getBackendInfo().name,
    loadAverage: loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', learningCurve(curve));
  await tracker.close();
  trainer.dispose();
  policy.dispose();
  rm.model.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}

/**
 * The PPO learning curve: the reward model's score and the hidden positivity, held out and per batch,
 * as a chart for `writeLearningCurve`.
 */
export function learningCurve(curve) {
  return {
    title: 'PPO against a learned reward model',
    xLabel: 'PPO step',
    yLabel: 'score',
    series: [
      {
        name: 'held-out RM score',
        points: curve.eval.map((p) => ({ x: p.step, y: p.rewardModelScore })),
        markers: true,
      },
      {
        name: 'held-out positivity',
        points: curve.eval.map((p) => ({ x: p.step, y: p.positivity })),
        markers: true,
      },
      {
        name: 'batch RM score',
        points: curve.train.map((p) => ({ x: p.step, y: p.reward })),
        dashed: true,
      },
    ],
  };
}
