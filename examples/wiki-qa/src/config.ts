import { toolSmokeConfig } from '@trl/example-kit/tool-env';

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a check that every stage runs, not a result).
 */
export const FULL_CONFIG = {
  seed: 0,
  backend: 'wasm',
  /**
   * Entities per group (three questions each). `sft` entities are the warm start's transcripts, `ppo`
   * entities PPO's prompts, `test` entities are held out; all of them are in the search corpus.
   */
  entities: { sft: 1500, ppo: 500, test: 100 },
  model: { n_embd: 96, n_layer: 2, n_head: 2, n_positions: 64, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0 },
  sft: {
    steps: 1000,
    batchSize: 32,
    learningRate: 3e-3,
    warmupSteps: 100,
    /** Share of transcripts that search the wiki; the rest answer from memory. */
    toolFraction: 0.4,
    logEvery: 100,
  },
  env: { maxTurns: 2, maxNewTokens: 10, generateBatchSize: 64 },
  ppo: {
    steps: 40,
    batchSize: 64,
    learningRate: 5e-5,
    miniBatchSize: 16,
    ppoEpochs: 4,
    initKlCoef: 0.2,
    adapKlCtrl: false,
    maxGradNorm: 1,
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: 10,
  },
};

/** The wiki-qa example's configuration. */
export type WikiQaConfig = typeof FULL_CONFIG;

/** A tiny configuration that runs every stage in seconds (for CI and the test). */
export const SMOKE_CONFIG: WikiQaConfig = {
  ...toolSmokeConfig(FULL_CONFIG, { sftSteps: 10, generateBatchSize: 16 }),
  entities: { sft: 60, ppo: 20, test: 4 },
};
