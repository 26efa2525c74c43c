import { type ContinuationConfig, continuationSmokeConfig } from '@trl/example-kit/continuation-ppo';

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a check that every stage runs, not a result).
 */
export const FULL_CONFIG: ContinuationConfig = {
  seed: 0,
  backend: 'wasm',
  /** Held-out review openings (of 40), never used in SFT or PPO. */
  testSize: 10,
  /** Samples per held-out opening in each evaluation. */
  evalSamples: 8,
  vocabSize: 400,
  model: { n_embd: 64, n_layer: 2, n_head: 2, n_positions: 32, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0 },
  sft: { steps: 600, batchSize: 32, learningRate: 3e-3, warmupSteps: 50, logEvery: 100 },
  generation: { maxNewTokens: 12, topK: 0, batchSize: 64 },
  ppo: {
    steps: 40,
    batchSize: 64,
    learningRate: 5e-5,
    miniBatchSize: 16,
    ppoEpochs: 4,
    initKlCoef: 0.3,
    adapKlCtrl: true,
    maxGradNorm: 1,
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: 10,
  },
};

/** A tiny configuration that runs every stage in a few seconds (for CI and the test). */
export const SMOKE_CONFIG: ContinuationConfig = continuationSmokeConfig(FULL_CONFIG);
