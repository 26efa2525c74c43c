import { stepSeries } from '@trl/example-kit/chart';
import {
  type ContinuationConfig,
  type ContinuationTask,
  runContinuationExperiment,
  type Scores,
} from '@trl/example-kit/continuation-ppo';
import { mean, round, valueAt } from '@trl/example-kit/run';
import { REVIEWS } from './reviews';
import { sentimentReward } from './reward';

/** A held-out evaluation: mean reward and the shares of positive and negative continuations. */
interface EvalNumbers {
  meanReward: number;
  positiveRate: number;
  negativeRate: number;
}

/** One PPO step: batch reward, KL and the KL coefficient the adaptive controller chose. */
interface TrainNumbers {
  step: number;
  reward: number;
  kl: number;
  klCoef: number;
}

/** The task: every continuation scored by AFINN-165 alone (the prompt is the same for both sides). */
const SENTIMENT_TASK: ContinuationTask<Scores, EvalNumbers, TrainNumbers> = {
  grammar: REVIEWS,
  createScorer: () => ({
    score: (_prompts, texts) => ({ rewards: texts.map(sentimentReward) }),
    phaseSeconds: {},
    summary: () => ({}),
  }),
  evalPoint: ({ rewards }) => ({
    meanReward: round(mean(rewards)),
    positiveRate: round(mean(rewards.map((r) => (r > 0 ? 1 : 0)))),
    negativeRate: round(mean(rewards.map((r) => (r < 0 ? 1 : 0)))),
  }),
  evalMetrics: (point) => ({
    'eval/reward_mean': point.meanReward,
    'eval/positive_rate': point.positiveRate,
    'eval/negative_rate': point.negativeRate,
  }),
  sampleNote: ({ rewards }, i) => valueAt(rewards, i).toFixed(2),
  trainPoint: (step, { rewards }, stats) => ({
    step,
    reward: round(mean(rewards)),
    kl: round(Number(stats['objective/kl'])),
    klCoef: round(Number(stats['objective/kl_coef'])),
  }),
  trainMetrics: (point) => ({ 'env/reward_mean': point.reward }),
  describeStep: (point) => `reward ${point.reward.toFixed(3)}`,
  chart: {
    title: 'Sentiment PPO: AFINN-165 reward and KL to the SFT model',
    yLabel: 'reward / KL (nats)',
    series: (curve) => [
      stepSeries('held-out mean reward', curve.eval, (p) => p.meanReward, { markers: true }),
      stepSeries('train batch reward', curve.train, (p) => p.reward, { dashed: true }),
      stepSeries('objective/kl', curve.train, (p) => p.kl),
    ],
  },
  headings: { sft: 'SFT', heldOut: 'Held-out evaluation' },
  saveCheckpoint: true,
};

/**
 * The whole example: tokenizer → GPT-2 from scratch → SFT warm start on generated reviews → held-out
 * evaluation → PPO toward positive sentiment with a KL penalty to the SFT model → held-out evaluation.
 * Writes logs, the learning curve, a summary and the final checkpoint under `runDir`; returns the summary.
 */
export function runExperiment(
  config: ContinuationConfig,
  { runDir, log = console.log }: { runDir: string; log?: (line: string) => void },
) {
  return runContinuationExperiment({ config, runDir, log, task: SENTIMENT_TASK });
}
