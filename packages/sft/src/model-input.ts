import type { CausalLMInput, Tokenizer, tf } from '@trl/core';

/**
 * The forward input SFT sends: the spec's input plus a hook on the token embeddings, which NEFTune
 * needs. Until `CausalLMInput` carries `embeddingNoise` (proposed spec change), a model that ignores
 * it is detected after the first pass and NEFTune fails with an explanation instead of silently
 * training without noise.
 */
export interface NoisyCausalLMInput extends CausalLMInput {
  /** Applied to the token embeddings `[batch, seq, d]` (before position embeddings) in training passes. */
  embeddingNoise?: (tokenEmbeddings: tf.Tensor3D) => tf.Tensor3D;
}

/** A tokenizer that can also write its files (Hugging Face tokenizers can). */
interface SavableTokenizer extends Tokenizer {
  savePretrained(dir: string): Promise<void>;
}

/** Writes the tokenizer beside the model when it knows how, as TRL saves the processing class. */
export async function saveTokenizerIfPossible(tokenizer: Tokenizer, dir: string): Promise<void> {
  const candidate = tokenizer as Partial<SavableTokenizer>;
  if (typeof candidate.savePretrained === 'function') await candidate.savePretrained(dir);
}
