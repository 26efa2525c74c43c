import type { Metrics, Rng, Tokenizer } from '@trl/core';
import { resolvePadTokenId } from '@trl/core';
import { createGpt2 } from '@trl/example-kit/gpt2';
import { type Gpt2ConfigInput, Gpt2ForSequenceClassification } from '@trl/models';
import { RewardTrainer } from '@trl/reward';
import type { RewardModelConfig } from './config';
import { type PreferencePair, samplePreferencePairs } from './pairs';

/** The held-out numbers `RewardTrainer.evaluate` reports. */
export interface HeldOutMetrics {
  eval_loss: number;
  eval_accuracy: number;
  eval_margin: number;
}

/** The trained reward model, its held-out metrics before and after training, and its held-out pairs. */
export interface TrainedRewardModel {
  /** Its `score` is the PPO reward. */
  trainer: RewardTrainer<Gpt2ForSequenceClassification>;
  model: Gpt2ForSequenceClassification;
  untrained: HeldOutMetrics;
  trained: HeldOutMetrics;
  evalPairs: PreferencePair[];
}

/** The three held-out metrics of an evaluation; a missing one means the evaluation did not run. */
function heldOutMetrics(metrics: Metrics): HeldOutMetrics {
  const read = (key: keyof HeldOutMetrics): number => {
    const value = metrics[key];
    if (value === undefined) throw new Error(`trainRewardModel: the evaluation reported no \`${key}\`.`);
    return value;
  };
  return {
    eval_loss: read('eval_loss'),
    eval_accuracy: read('eval_accuracy'),
    eval_margin: read('eval_margin'),
  };
}

/**
 * Trains a one-label GPT-2 reward model from scratch on generated preference pairs of the training
 * openings and measures it on pairs of the held-out openings. Returns the trainer (whose `score`
 * is the PPO reward), its held-out metrics and the pairs.
 */
export async function trainRewardModel({
  tokenizer,
  modelConfig,
  config,
  train,
  test,
  rng,
  outputDir,
  seed,
}: {
  tokenizer: Tokenizer;
  modelConfig: Gpt2ConfigInput;
  config: RewardModelConfig['reward'];
  train: readonly string[];
  test: readonly string[];
  rng: Rng;
  outputDir: string;
  seed: number;
}): Promise<TrainedRewardModel> {
  const backbone = createGpt2(modelConfig, tokenizer, seed, { pad_token_id: resolvePadTokenId(tokenizer) });
  const model = new Gpt2ForSequenceClassification(backbone, 1);
  const trainPairs = samplePreferencePairs(train, config.trainPairs, rng);
  const evalPairs = samplePreferencePairs(test, config.evalPairs, rng);
  const trainer = new RewardTrainer({
    model,
    tokenizer,
    args: {
      outputDir,
      maxSteps: config.maxSteps,
      perDeviceTrainBatchSize: config.batchSize,
      perDeviceEvalBatchSize: 64,
      learningRate: config.learningRate,
      warmupSteps: config.warmupSteps,
      lrSchedulerType: 'cosine',
      loggingSteps: config.evalSteps,
      evalStrategy: 'steps',
      evalSteps: config.evalSteps,
      saveStrategy: 'no',
      disableTqdm: true,
      seed,
    },
    trainDataset: trainPairs,
    evalDataset: evalPairs,
  });
  const untrained = heldOutMetrics(trainer.evaluate());
  await trainer.train();
  const trained = heldOutMetrics(trainer.evaluate());
  return { trainer, model, untrained, trained, evalPairs };
}
