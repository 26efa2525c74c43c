import { type Rng, tf } from '@trl/core';
import type { LlamaConfig } from './config';
import { buildLlamaWeights, type LlamaWeights } from './weights';

/**
 * Fresh weights as transformers initialises a Llama-family model: every projection and the
 * embedding drawn from N(0, initializer_range), biases zero, RMSNorm gains one. Seeded, so every run
 * and backend starts from the same weights.
 */
export function initLlamaWeights(config: LlamaConfig, rng: Rng): LlamaWeights {
  const std = config.fields.initializer_range;
  return buildLlamaWeights(config, (key, shape) => {
    if (key.endsWith('.bias')) return tf.zeros(shape);
    if (key.endsWith('norm.weight')) return tf.ones(shape);
    return tf.randomNormal(shape, 0, std, 'float32', rng.nextSeed());
  });
}

/** Options of `LlamaForCausalLM.create`. */
export interface LlamaCreateOptions {
  /** Seed for the weight init and for dropout masks. Default 0. */
  seed?: number;
}
