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
  ...FULL_CONFIG,
  testSize: 8,
  tokenizerProblems: 200,
  model: { ...FULL_CONFIG.model, n_embd: 32, n_layer: 1 },
  sft: { ...FULL_CONFIG.sft, steps: 10, batchSize: 8, warmupSteps: 2, logEvery: 5 },
  env: { ...FULL_CONFIG.env, generateBatchSize: 8 },
  ppo: { ...FULL_CONFIG.ppo, steps: 2, batchSize: 8, miniBatchSize: 4, ppoEpochs: 1, evalEvery: 1 },
};
