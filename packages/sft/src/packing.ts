import type { SFTExample } from './tokenize';

/** Options of {@link packSequences}. */
export interface PackingOptions {
  /** Chunk length in tokens. */
  seqLength: number;
  /** Token put after every example (eos), `ConstantLengthDataset`'s `concat_token_id`. */
  concatTokenId: number;
  /** Characters per buffer; a buffer is flushed once its texts reach this many characters. */
  bufferChars: number;
}

/**
 * TRL's `ConstantLengthDataset` (finite): texts are read into buffers of about `bufferChars`
 * characters; each buffer's token ids are concatenated with `concatTokenId` after every text and cut
 * into chunks of exactly `seqLength`, the incomplete tail of each buffer dropped. Every chunk trains
 * on all its tokens.
 */
export function packSequences(
  tokenized: readonly (readonly number[])[],
  texts: readonly string[],
  options: PackingOptions,
): SFTExample[] {
  const { seqLength, concatTokenId, bufferChars } = options;
  const chunks: SFTExample[] = [];
  let buffer: number[] = [];
  let chars = 0;
  const flush = () => {
    for (let start = 0; start + seqLength <= buffer.length; start += seqLength) {
      const inputIds = buffer.slice(start, start + seqLength);
      chunks.push({ inputIds, labels: inputIds.slice() });
    }
    buffer = [];
    chars = 0;
  };
  tokenized.forEach((ids, index) => {
    buffer.push(...ids, concatTokenId);
    chars += texts[index]?.length ?? 0;
    if (chars >= bufferChars) flush();
  });
  flush();
  return chunks;
}
