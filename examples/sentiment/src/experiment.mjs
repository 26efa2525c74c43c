import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { getBackendInfo, Rng, tf } from '@trl/core';
import { writeLearningCurve } from '@trl/example-kit/chart';
import { generateContinuations, mean, round, startRun } from '@trl/example-kit/run';
import { runSft } from '@trl/example-kit/sft';
import { Gpt2LMHeadModel, Gpt2WithValueHead, trainBpeTokenizer } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import { allOpenings, sampleReviews, splitOpenings } from './reviews.mjs';
import { sentimentReward } from './reward.mjs';

/**
 * Continues every prompt once with the policy and scores the decoded continuation (special tokens
 * dropped) with AFINN-165. Returns the continuations' texts and rewards, in prompt order.
 */
export async function rollout({ trainer, tokenizer, prompts, generation, seed }) {
  const { queries, responses, texts } = await generateContinuations({
    trainer,
    tokenizer,
    prompts,
    generation,
    seed,
  });
  return { queries, responses, texts, rewards: texts.map(sentimentReward) };
}

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start on generated reviews → held-out
 * evaluation → PPO toward positive sentiment with a KL penalty to the SFT model → held-out evaluation.
 * Writes logs, the learning curve, a summary and the final checkpoint under `runDir`; returns the summary.
 */
export async function runExperiment(config, { runDir, log = console.log }) {
  const { seconds, tracker } = await startRun({ config, runDir, log });

  const { test, train } = splitOpenings(config.testSize, config.seed);
  const tokenizer = trainBpeTokenizer(sampleReviews(allOpenings(), 2000, new Rng(config.seed + 5)), {
    vocabSize: config.vocabSize,
    specialTokens: ['<|endoftext|>', '<|pad|>'],
  });
  log(`tokenizer: byte-level BPE with ${tokenizer.vocabSize} tokens learned from generated reviews`);
  const lm = Gpt2LMHeadModel.create(
    {
      ...config.model,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
    },
    { seed: config.seed },
  );

  log(`SFT: ${config.sft.steps} steps × ${config.sft.batchSize} reviews`);
  const sft = await runSft({
    model: lm,
    tokenizer,
    sampleTexts: (count, rng) => sampleReviews(train, count, rng),
    config: { ...config.sft, seed: config.seed + 2 },
    tracker,
    onProgress: (step, loss) => log(`  sft step ${step} loss ${loss.toFixed(4)} (${seconds()} s)`),
  });
  const sftSeconds = seconds();

  const policy = new Gpt2WithValueHead(lm, { seed: config.seed + 3 });
  // No refModel: the trainer snapshots the SFT weights as the frozen reference of the KL penalty.
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

  const evalPrompts = test.flatMap((opening) => Array.from({ length: config.evalSamples }, () => opening));
  const evalAt = async (step) => {
    const { texts, rewards } = await rollout({
      trainer,
      tokenizer,
      prompts: evalPrompts,
      generation: config.generation,
      seed: config.seed + 1000,
    });
    const point = {
      step,
      meanReward: round(mean(rewards)),
      positiveRate: round(mean(rewards.map((r) => (r > 0 ? 1 : 0)))),
      negativeRate: round(mean(rewards.map((r) => (r < 0 ? 1 : 0)))),
    };
    await tracker.log(
      {
        'eval/reward_mean': point.meanReward,
        'eval/positive_rate': point.positiveRate,
        'eval/negative_rate': point.negativeRate,
      },
      step,
    );
    log(`  eval @ppo step ${step}: ${JSON.stringify(point)} (${seconds()} s)`);
    const samples = evalPrompts
      .map((prompt, i) => `${prompt}${texts[i]}  [${rewards[i].toFixed(2)}]`)
      .filter((_, i) => i % config.evalSamples === 0);
    return { point, samples };
  };

  log(`Held-out evaluation after SFT (${test.length} openings × ${config.evalSamples} samples)`);
  const before = await evalAt(0);
  log(`  samples:\n    ${before.samples.join('\n    ')}`);

  const rng = new Rng(config.seed + 4);
  /** @type {{ train: { step: number, reward: number, kl: number, klCoef: number }[], eval: (typeof before.point)[] }} */
  const curve = { train: [], eval: [before.point] };
  let after = before;
  log(`PPO: ${config.ppo.steps} steps × ${config.ppo.batchSize} continuations`);
  for (let step = 1; step <= config.ppo.steps; step++) {
    const prompts = Array.from({ length: config.ppo.batchSize }, () => train[rng.nextInt(train.length)]);
    const { queries, responses, rewards } = await rollout({
      trainer,
      tokenizer,
      prompts,
      generation: config.generation,
    });
    const stats = await trainer.step(queries, responses, rewards);
    const point = {
      step,
      reward: round(mean(rewards)),
      kl: round(Number(stats['objective/kl'])),
      klCoef: round(Number(stats['objective/kl_coef'])),
    };
    await tracker.log({ 'env/reward_mean': point.reward }, step);
    curve.train.push(point);
    log(`  ppo step ${step}: reward ${point.reward.toFixed(3)} kl ${point.kl.toFixed(3)} (${seconds()} s)`);
    if (step % config.ppo.evalEvery === 0 || step === config.ppo.steps) {
      after = await evalAt(step);
      curve.eval.push(after.point);
    }
  }
  log(`  samples after PPO:\n    ${after.samples.join('\n    ')}`);

  const totalSeconds = seconds();
  const kls = curve.train.map((p) => p.kl);
  const summary = {
    heldOutOpenings: test.length,
    evalSamples: evalPrompts.length,
    beforePpo: before.point,
    afterPpo: after.point,
    samplesBefore: before.samples,
    samplesAfter: after.samples,
    finalKl: kls.at(-1),
    maxKl: round(Math.max(...kls)),
    medianKl: round(kls.slice().sort((a, b) => a - b)[Math.floor(kls.length / 2)]),
    sftFinalLoss: round(sft.finalLoss),
    sftSeconds,
    ppoSeconds: round(totalSeconds - sftSeconds, 1),
    totalSeconds,
    backend: getBackendInfo().name,
    loadAverage: loadavg().map((v) => round(v, 2)),
    curve,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', learningCurve(curve));
  await policy.savePretrained(join(runDir, 'checkpoint'));
  await tokenizer.savePretrained(join(runDir, 'checkpoint'));
  await tracker.close();
  trainer.dispose();
  policy.dispose();
  log(`tensors alive at the end: ${tf.memory().numTensors}`);
  return summary;
}

/**
 * The learning curve: held-out mean reward, training-batch reward and KL to the reference, per PPO step,
 * as a chart for `writeLearningCurve`.
 */
export function learningCurve(curve) {
  return {
    title: 'Sentiment PPO: AFINN-165 reward and KL to the SFT model',
    xLabel: 'PPO step',
    yLabel: 'reward / KL (nats)',
    series: [
      {
        name: 'held-out mean reward',
        points: curve.eval.map((p) => ({ x: p.step, y: p.meanReward })),
        markers: true,
      },
      {
        name: 'train batch reward',
        points: curve.train.map((p) => ({ x: p.step, y: p.reward })),
        dashed: true,
      },
      { name: 'objective/kl', points: curve.train.map((p) => ({ x: p.step, y: p.kl })) },
    ],
  };
}
