import { toolSmokeConfig } from '@trl/example-kit/tool-env';

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a minute-long check that every stage runs, not a result).
 */
export const FULL_CONFIG = {
  seed: 0,
  backend: 'wasm',
  /** Held-out questions, never used in SFT or PPO. */
  testSize: 200,
  model: { n_embd: 96, n_layer: 2, n_head: 2, n_positions: 64, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0 },
  sft: {
    steps: 2500,
    batchSize: 32,
    learningRate: 3e-3,
    warmupSteps: 100,
    /** Share of transcripts that use the calculator; the rest answer from the model's head. */
    toolFraction: 0.4,
    logEvery: 100,
  },
  env: { maxTurns: 2, maxNewTokens: 8, generateBatchSize: 64 },
  ppo: {
    steps: 120,
    batchSize: 128,
    learningRate: 5e-5,
    /** Learning-rate schedule over the PPO steps (`createLrSchedule` kind); linear decays to 0 at the last step. */
    lrSchedule: 'linear' as const,
    miniBatchSize: 32,
    ppoEpochs: 4,
    initKlCoef: 0.05,
    adapKlCtrl: false,
    maxGradNorm: 1,
    /** Ratio clip and value clip: TRL's defaults. */
    cliprange: 0.2,
    cliprangeValue: 0.2,
    /**
     * Value-loss weight, below TRL's 0.1: the fresh value head shares the small trunk with the policy.
     * With the larger batch and the decay it steadied the curve (the three were not tried apart).
     */
    vfCoef: 0.01,
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: 10,
  },
};

/** The calculator example's configuration. */
export type CalculatorConfig = typeof FULL_CONFIG;

/** A tiny configuration that runs every stage in well under a minute (for CI and the test). */
export const SMOKE_CONFIG: CalculatorConfig = {
  ...toolSmokeConfig(FULL_CONFIG, { sftSteps: 20, generateBatchSize: 16 }),
  testSize: 16,
};
