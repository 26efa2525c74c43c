import { Gpt2ForSequenceClassification, Gpt2LMHeadModel } from '@trl/models';
import { RewardTrainer } from '@trl/reward';
import { samplePreferencePairs } from './pairs.mjs';

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
}) {
  const backbone = Gpt2LMHeadModel.create(
    {
      ...modelConfig,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
      pad_token_id: tokenizer.padTokenId ?? tokenizer.eosTokenId,
    },
    { seed },
  );
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
  const untrained = trainer.evaluate();
  await trainer.train();
  const trained = trainer.evaluate();
  return { trainer, model, untrained, trained, evalPairs };
}
