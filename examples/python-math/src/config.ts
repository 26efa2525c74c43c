import { toolSmokeConfig } from '@trl/example-kit/tool-env';

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a check that every stage runs, not a result).
 */
export const FULL_CONFIG = {
  seed: 0,
  backend: 'wasm',
  /** Held-out problems, never used in SFT or PPO (in any phrasing). */
  testSize: 200,
  model: { n_embd: 64, n_layer: 2, n_head: 2, n_positions: 64, embd_pdrop: 0, resid_pdrop: 0, attn_pdrop: 0 },
  /** Training problems whose transcripts the tokenizer is learned from. */
  tokenizerProblems: 3000,
  sft: {
    steps: 1500,
    batchSize: 32,
    learningRate: 3e-3,
    warmupSteps: 50,
    /** Share of transcripts with the right program. */
    programFraction: 0.4,
    /** Share of transcripts with a program that has one operator wrong. */
    slipFraction: 0.1,
    logEvery: 100,
  },
  env: {
    maxTurns: 2,
    maxNewTokens: 24,
    maxToolResponse: 60,
    pythonTimeoutMs: 2000,
    generateBatchSize: 64,
  },
  ppo: {
    steps: 40,
    batchSize: 64,
    learningRate: 1.5e-4,
    miniBatchSize: 16,
    ppoEpochs: 4,
    initKlCoef: 0.05,
    adapKlCtrl: false,
    maxGradNorm: 1,
    /** Held-out evaluation every n PPO steps (and after the last). */
    evalEvery: 10,
  },
};

/** The python-math example's configuration. */
export type PythonMathConfig = typeof FULL_CONFIG;

/** A tiny configuration that runs every stage in seconds (for CI and the test). */
export const SMOKE_CONFIG: PythonMathConfig = {
  ...toolSmokeConfig(FULL_CONFIG, { sftSteps: 10, generateBatchSize: 8 }),
  testSize: 8,
  tokenizerProblems: 200,
};
