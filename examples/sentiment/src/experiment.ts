import { join } from 'node:path';
import { stepSeries } from '@trl/example-kit/chart';
import {
  type ContinuationTask,
  runContinuationExperiment,
  type Scorer,
  type ScorerContext,
} from '@trl/example-kit/continuation-ppo';
import { mean, round, valueAt } from '@trl/example-kit/run';
import {
  type ClassifierTraining,
  classifierLogits,
  isPositive,
  loadRewardClassifier,
  positiveLogOdds,
  trainRewardClassifier,
} from './classifier';
import type { SentimentConfig } from './config';
import { REVIEWS } from './reviews';
import { sentimentReward } from './reward';

/** A batch of continuations scored: the PPO reward, AFINN-165's score and the classifier's verdict. */
interface SentimentScores {
  rewards: number[];
  afinn: number[];
  /** 1 where the classifier's POSITIVE logit is the largest (classifier reward only). */
  classifierPositive: number[] | undefined;
}

/**
 * A held-out evaluation: mean PPO reward, AFINN-165's mean and its shares of positive and negative
 * continuations (an independent check that the policy writes positive reviews rather than exploiting
 * the classifier), and the classifier's share of POSITIVE verdicts.
 */
interface EvalNumbers {
  meanReward: number;
  afinnMean: number;
  positiveRate: number;
  negativeRate: number;
  classifierPositiveRate?: number;
}

/** One PPO step: batch reward, KL and the KL coefficient the adaptive controller chose. */
interface TrainNumbers {
  step: number;
  reward: number;
  kl: number;
  klCoef: number;
}

/** Where the classifier came from and how good it is; opens `summary.json`. */
interface RewardSummary {
  reward: SentimentConfig['reward']['kind'];
  classifier?: { source: string } & Partial<ClassifierTraining>;
}

type SentimentScorer = Scorer<SentimentScores, RewardSummary, Record<string, number>>;

function lexiconScorer(): SentimentScorer {
  return {
    score: (_prompts, texts) => {
      const afinn = texts.map(sentimentReward);
      return { rewards: afinn, afinn, classifierPositive: undefined };
    },
    phaseSeconds: {},
    summary: () => ({ reward: 'lexicon' }),
  };
}

/**
 * The classifier reward as in TRL's `gpt2-sentiment`: the classifier reads opening + continuation
 * and scores it, here by the log-odds of POSITIVE (see `positiveLogOdds`). Trains the classifier first unless `dir` names one.
 */
async function classifierScorer(config: SentimentConfig, context: ScorerContext): Promise<SentimentScorer> {
  const settings = config.reward.classifier;
  let dir = settings.dir;
  let training: ClassifierTraining | undefined;
  const started = context.seconds();
  if (dir === '') {
    dir = join(context.runDir, 'classifier');
    context.log(
      `sentiment classifier: DistilBERT architecture (${settings.model.n_layers} layers, width ${settings.model.dim}), ` +
        `${settings.steps} steps × ${settings.batchSize} labelled reviews`,
    );
    training = await trainRewardClassifier({
      config: settings,
      train: context.train,
      test: context.test,
      dir,
      seed: config.seed + 7,
      log: context.log,
    });
    context.log(
      `  held-out accuracy ${round(training.accuracyBefore)} -> ${round(training.accuracyAfter)} (${context.seconds()} s)`,
    );
  }
  const classifier = await loadRewardClassifier(dir, settings.positiveLabel, settings.maxLength);
  context.log(`reward: log-odds of "${settings.positiveLabel}" by the classifier in ${dir}`);
  return {
    score: (prompts, texts) => {
      const logits = classifierLogits(
        classifier,
        texts.map((text, i) => `${prompts[i]}${text}`),
      );
      return {
        rewards: logits.map((row) => round(positiveLogOdds(row, classifier.positiveId), 6)),
        afinn: texts.map(sentimentReward),
        classifierPositive: logits.map((row) => (isPositive(row, classifier.positiveId) ? 1 : 0)),
      };
    },
    phaseSeconds: training ? { classifierSeconds: round(context.seconds() - started, 1) } : {},
    summary: () => ({
      reward: 'classifier',
      classifier: { source: settings.dir === '' ? 'trained in this run' : settings.dir, ...training },
    }),
    dispose: () => classifier.model.dispose(),
  };
}

/** The task: continuations scored by the configured reward, always measured by AFINN-165 too. */
function sentimentTask(
  config: SentimentConfig,
): ContinuationTask<SentimentScores, EvalNumbers, TrainNumbers, RewardSummary, Record<string, number>> {
  const byClassifier = config.reward.kind === 'classifier';
  return {
    grammar: REVIEWS,
    createScorer: (context) => (byClassifier ? classifierScorer(config, context) : lexiconScorer()),
    evalPoint: ({ rewards, afinn, classifierPositive }) => ({
      meanReward: round(mean(rewards)),
      afinnMean: round(mean(afinn)),
      positiveRate: round(mean(afinn.map((r) => (r > 0 ? 1 : 0)))),
      negativeRate: round(mean(afinn.map((r) => (r < 0 ? 1 : 0)))),
      ...(classifierPositive ? { classifierPositiveRate: round(mean(classifierPositive)) } : {}),
    }),
    evalMetrics: (point) => ({
      'eval/reward_mean': point.meanReward,
      'eval/afinn_mean': point.afinnMean,
      'eval/positive_rate': point.positiveRate,
      'eval/negative_rate': point.negativeRate,
      ...(point.classifierPositiveRate === undefined
        ? {}
        : { 'eval/classifier_positive_rate': point.classifierPositiveRate }),
    }),
    sampleNote: ({ rewards, afinn }, i) =>
      byClassifier
        ? `${valueAt(rewards, i).toFixed(2)}, afinn ${valueAt(afinn, i).toFixed(2)}`
        : valueAt(rewards, i).toFixed(2),
    trainPoint: (step, { rewards }, stats) => ({
      step,
      reward: round(mean(rewards)),
      kl: round(Number(stats['objective/kl'])),
      klCoef: round(Number(stats['objective/kl_coef'])),
    }),
    trainMetrics: (point) => ({ 'env/reward_mean': point.reward }),
    describeStep: (point) => `reward ${point.reward.toFixed(3)}`,
    chart: {
      title: byClassifier
        ? 'Sentiment PPO: classifier reward, AFINN-165 check and KL to the SFT model'
        : 'Sentiment PPO: AFINN-165 reward and KL to the SFT model',
      yLabel: byClassifier ? 'logit / AFINN / KL (nats)' : 'reward / KL (nats)',
      series: (curve) => [
        stepSeries('held-out mean reward', curve.eval, (p) => p.meanReward, { markers: true }),
        ...(byClassifier
          ? [stepSeries('held-out AFINN-165 mean', curve.eval, (p) => p.afinnMean, { markers: true })]
          : []),
        stepSeries('train batch reward', curve.train, (p) => p.reward, { dashed: true }),
        stepSeries('objective/kl', curve.train, (p) => p.kl),
      ],
    },
    headings: { sft: 'SFT', heldOut: 'Held-out evaluation' },
    saveCheckpoint: true,
  };
}

/**
 * The whole example: tokenizer → (sentiment classifier trained on labelled reviews, saved in Hugging
 * Face layout and loaded back) → GPT-2 from scratch → SFT warm start on generated reviews → held-out
 * evaluation → PPO toward positive sentiment with a KL penalty to the SFT model → held-out
 * evaluation. Writes logs, the learning curve, a summary and the final checkpoint under `runDir`.
 */
export function runExperiment(
  config: SentimentConfig,
  { runDir, log = console.log }: { runDir: string; log?: (line: string) => void },
) {
  return runContinuationExperiment({ config, runDir, log, task: sentimentTask(config) });
}
