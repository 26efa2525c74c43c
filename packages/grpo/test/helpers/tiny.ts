import { tinyGpt2, tinyTokenizer } from '@trl/test-kit/models';

export { tinyTokenizer, useTestBackend } from '@trl/test-kit/models';

/** A tiny seeded GPT-2 over the byte-level test tokenizer. */
export function tinyModel(seed = 1, width = 32) {
  const tokenizer = tinyTokenizer();
  return tinyGpt2(seed, {
    vocabSize: tokenizer.vocabSize,
    layers: 2,
    width,
    eosTokenId: tokenizer.eosTokenId ?? null,
    bosTokenId: tokenizer.bosTokenId ?? null,
  });
}
