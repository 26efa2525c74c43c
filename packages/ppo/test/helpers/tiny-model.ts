import { Gpt2WithValueHead } from '@trl/models';
import { tinyGpt2, tinyTokenizer } from '@trl/test-kit/models';

export { tinyTokenizer, useTestBackend } from '@trl/test-kit/models';

/** A tiny GPT-2 from scratch with a value head, seeded; dropout off so passes are deterministic. */
export function tinyPolicy(seed = 1, size: { layers?: number; width?: number } = {}): Gpt2WithValueHead {
  const tokenizer = tinyTokenizer();
  const lm = tinyGpt2(seed, {
    vocabSize: tokenizer.vocabSize,
    layers: size.layers ?? 2,
    width: size.width ?? 32,
    eosTokenId: tokenizer.eosTokenId ?? null,
    bosTokenId: tokenizer.bosTokenId ?? null,
  });
  return new Gpt2WithValueHead(lm, { seed: seed + 1, summaryDropoutProb: 0 });
}
