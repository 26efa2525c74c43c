import type { Tokenizer } from '@trl/core';

/** A tokenizer that can also write its files (Hugging Face tokenizers can). */
interface SavableTokenizer extends Tokenizer {
  savePretrained(dir: string): Promise<void>;
}

/** Writes the tokenizer beside the model when it knows how, as TRL saves the processing class. */
export async function saveTokenizerIfPossible(tokenizer: Tokenizer, dir: string): Promise<void> {
  const candidate = tokenizer as Partial<SavableTokenizer>;
  if (typeof candidate.savePretrained === 'function') await candidate.savePretrained(dir);
}
