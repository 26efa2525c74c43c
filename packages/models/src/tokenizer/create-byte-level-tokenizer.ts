import { byteLevelBpeTokenizerJson, byteVocabulary } from './byte-level';
import { HuggingFaceTokenizer } from './huggingface-tokenizer';
import {
  parseOptions,
  resolveSmallTokenizerSpecials,
  type SmallTokenizerOptions,
  smallTokenizerOptionsSchema,
} from './small-tokenizer-options';

/**
 * The smallest useful tokenizer: one id per byte (id = byte value, so any text encodes) followed by
 * the special tokens, with no merges. Handy for toy models and tests; saves and loads like any
 * Hugging Face tokenizer.
 */
export function createByteLevelTokenizer(options: SmallTokenizerOptions = {}): HuggingFaceTokenizer {
  const parsed = parseOptions(smallTokenizerOptionsSchema, options, 'createByteLevelTokenizer');
  const specials = resolveSmallTokenizerSpecials(parsed);
  const { vocab, addedTokens } = byteVocabulary(specials.tokens);
  return new HuggingFaceTokenizer({
    tokenizerJson: byteLevelBpeTokenizerJson({ vocab, merges: [], addedTokens }),
    tokenizerConfig: {
      ...specials.roles,
      padding_side: parsed.paddingSide,
      clean_up_tokenization_spaces: false,
    },
    source: 'createByteLevelTokenizer',
  });
}
