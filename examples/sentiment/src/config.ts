import { type ContinuationConfig, continuationSmokeConfig } from '@trl/example-kit/continuation-ppo';
import type { ClassifierConfig } from './classifier';

/** The example's configuration: the kit's continuation-PPO knobs plus the choice of reward. */
export interface SentimentConfig extends ContinuationConfig {
  reward: {
    /**
     * `classifier`: the POSITIVE logit of a DistilBERT-architecture sentiment classifier (TRL's
     * `gpt2-sentiment` setup); `lexicon`: AFINN-165's comparative score.
     */
    kind: 'classifier' | 'lexicon';
    classifier: ClassifierConfig;
  };
}

/**
 * Every knob of the example in one place; printed at start and saved with the run. `--smoke` swaps
 * in SMOKE_CONFIG (a check that every stage runs, not a result).
 */
export const FULL_CONFIG: SentimentConfig = {
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
  reward: {
    kind: 'classifier',
    classifier: {
      dir: '',
      positiveLabel: 'POSITIVE',
      maxLength: 48,
      model: { dim: 64, n_layers: 2, n_heads: 4, hidden_dim: 128 },
      steps: 150,
      batchSize: 32,
      learningRate: 1e-3,
      warmupSteps: 15,
      evalReviews: 400,
    },
  },
};

/** A tiny configuration that runs every stage in a few seconds (for CI and the test). */
export const SMOKE_CONFIG: SentimentConfig = {
  ...continuationSmokeConfig(FULL_CONFIG),
  reward: {
    kind: 'classifier',
    classifier: {
      ...FULL_CONFIG.reward.classifier,
      model: { dim: 32, n_layers: 1, n_heads: 2, hidden_dim: 64 },
      steps: 8,
      batchSize: 8,
      warmupSteps: 1,
      evalReviews: 32,
    },
  },
};
