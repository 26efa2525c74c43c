import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@trl/core';
import { stepSeries } from '@trl/example-kit/chart';
import { type ContinuationTask, runContinuationExperiment } from '@trl/example-kit/continuation-ppo';
import { mean, round, valueAt } from '@trl/example-kit/run';
import type { RewardModelConfig } from './config';
import { positivity, REVIEWS } from './pairs';
import { trainRewardModel } from './reward-model';

/** The reward model's score of each continuation, and its hidden positivity (never seen by the policy). */
interface RewardModelScores {
  rewards: number[];
  positivity: number[];
}

/** A held-out evaluation: mean reward-model score and mean hidden positivity. */
interface EvalNumbers {
  rewardModelScore: number;
  positivity: number;
}

/** One PPO step: batch reward (the reward model's score), hidden positivity and KL. */
interface TrainNumbers {
  step: number;
  reward: number;
  positivity: number;
  kl: number;
}

/** The reward model's part of `summary.json`. */
interface RewardModelSummary {
  rewardModel: {
    evalPairs: number;
    untrainedAccuracy: number;
    accuracy: number;
    evalLoss: number;
    evalMargin: number;
    curve: { step: number; accuracy: number }[];
  };
}

/** `eval_accuracy` per evaluation of the reward-model trainer's log, for the chart. */
function rewardModelCurve(logPath: string): { step: number; accuracy: number }[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .map((line): { step: number; eval_accuracy?: unknown } => JSON.parse(line))
    .flatMap((row) =>
      typeof row.eval_accuracy === 'number' ? [{ step: row.step, accuracy: row.eval_accuracy }] : [],
    );
}

/** The task: a reward model trained on the pairs first, whose score is then the PPO reward. */
function rewardModelTask(
  config: RewardModelConfig,
): ContinuationTask<
  RewardModelScores,
  EvalNumbers,
  TrainNumbers,
  RewardModelSummary,
  { rewardModelSeconds: number }
> {
  return {
    grammar: REVIEWS,
    createScorer: async ({ tokenizer, train, test, runDir, log, seconds }) => {
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
      return {
        // Prompt + continuation, as the reward model was trained on whole reviews.
        score: (prompts, texts) => ({
          rewards: rm.trainer.score(prompts.map((prompt, i) => prompt + valueAt(texts, i))),
          positivity: texts.map(positivity),
        }),
        phaseSeconds: { rewardModelSeconds },
        summary: () => ({
          rewardModel: {
            evalPairs: rm.evalPairs.length,
            untrainedAccuracy: round(rm.untrained.eval_accuracy),
            accuracy: round(rm.trained.eval_accuracy),
            evalLoss: round(rm.trained.eval_loss),
            evalMargin: round(rm.trained.eval_margin),
            curve: rewardModelCurve(join(rewardDir, 'logs.jsonl')),
          },
        }),
        dispose: () => rm.model.dispose(),
      };
    },
    evalPoint: (scores) => ({
      rewardModelScore: round(mean(scores.rewards)),
      positivity: round(mean(scores.positivity)),
    }),
    evalMetrics: (point) => ({
      'eval/reward_model_score': point.rewardModelScore,
      'eval/positivity': point.positivity,
    }),
    sampleNote: (scores, i) =>
      `rm ${valueAt(scores.rewards, i).toFixed(2)}, positivity ${valueAt(scores.positivity, i)}`,
    trainPoint: (step, scores, stats) => ({
      step,
      reward: round(mean(scores.rewards)),
      positivity: round(mean(scores.positivity)),
      kl: round(Number(stats['objective/kl'])),
    }),
    trainMetrics: (point) => ({ 'env/reward_mean': point.reward, 'env/positivity': point.positivity }),
    describeStep: (point) => `rm score ${point.reward.toFixed(3)} positivity ${point.positivity.toFixed(3)}`,
    chart: {
      title: 'PPO against a learned reward model',
      yLabel: 'score',
      series: (curve) => [
        stepSeries('held-out RM score', curve.eval, (p) => p.rewardModelScore, { markers: true }),
        stepSeries('held-out positivity', curve.eval, (p) => p.positivity, { markers: true }),
        stepSeries('batch RM score', curve.train, (p) => p.reward, { dashed: true }),
      ],
    },
    headings: {
      sft: 'Policy SFT',
      heldOut: 'Held-out policy evaluation',
      ppoSuffix: ", reward = the reward model's score",
    },
    saveCheckpoint: false,
  };
}

/**
 * The whole example: tokenizer → reward model trained on generated preference pairs (held-out pair
 * accuracy) → policy GPT-2 with an SFT warm start → PPO with the reward model's score as the reward
 * and a KL penalty to the SFT model. Writes logs, the learning curve and a summary under `runDir`.
 */
export function runExperiment(
  config: RewardModelConfig,
  { runDir, log = console.log }: { runDir: string; log?: (line: string) => void },
) {
  return runContinuationExperiment({ config, runDir, log, task: rewardModelTask(config) });
}
