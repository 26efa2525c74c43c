import { type ContinuationConfig, continuationSmokeConfig } from '@trl/example-kit/continuation-ppo';

/** The example's configuration: the shared single-turn one plus the reward model's training. */
export interface RewardModelConfig extends ContinuationConfig {
  reward: {
    trainPairs: number;
    evalPairs: number;
    maxSteps: number;
    batchSize: number;
    learningRate: number;
    warmupSteps: number;
    evalSteps: number;
  };
}

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a check that every stage runs, not a result).
 */
export const FULL_CONFIG: RewardModelConfig = {
  seed: 0,
  backend: 'wasm',
  /** Held-out review openings (of 40): their pairs measure the reward model, their prompts the policy. */
  testSize: 10,
  vocabSize: 400,
  model: { n_embd: 64, n_layer: 2, n_head: 2, n_positions: 32, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0 },
  reward: {
    trainPairs: 4000,
    evalPairs: 500,
    maxSteps: 400,
    batchSize: 32,
    learningRate: 1e-3,
    warmupSteps: 20,
    evalSteps: 100,
  },
  sft: { steps: 600, batchSize: 32, learningRate: 3e-3, warmupSteps: 50, logEvery: 100 },
  /** Samples per held-out opening in each policy evaluation. */
  evalSamples: 8,
  generation: { maxNewTokens: 12, topK: 0, batchSize: 64 },
  ppo: {
    steps: 30,
    batchSize: 64,
    learningRate: 1e-4,
    miniBatchSize: 16,
    ppoEpochs: 4,
    initKlCoef: 0.2,
    adapKlCtrl: true,
    maxGradNorm: 1,
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: 10,
  },
};

/** A tiny configuration that runs every stage in a few seconds (for CI and the test). */
export const SMOKE_CONFIG: RewardModelConfig = {
  ...continuationSmokeConfig(FULL_CONFIG),
  reward: {
    ...FULL_CONFIG.reward,
    trainPairs: 64,
    evalPairs: 32,
    maxSteps: 10,
    batchSize: 8,
    warmupSteps: 2,
    evalSteps: 5,
  },
};
