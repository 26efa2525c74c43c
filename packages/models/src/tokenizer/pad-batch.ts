import { type BatchEncoding, type PaddingSide, TrlError } from '@trl/core';
import { z } from 'zod';

/** How to truncate and pad a batch of encoded rows. */
export interface PadBatchOptions {
  /** Pad to the longest row, to `maxLength`, or not at all. */
  padding: 'longest' | 'max_length' | false;
  /** Rows longer than this are truncated (keeping the start); required for `max_length`. */
  maxLength: number | undefined;
  /** Side the padding goes on. */
  paddingSide: PaddingSide;
  /** Id used for padding; required whenever a row is padded. */
  padTokenId: number | undefined;
}

/** Validates the user-facing batch options, naming the offending field. */
export const batchEncodeOptionsSchema = z.object({
  padding: z.union([z.enum(['longest', 'max_length']), z.literal(false)]).default('longest'),
  maxLength: z.number().int().positive().optional(),
  paddingSide: z.enum(['left', 'right']).optional(),
  addSpecialTokens: z.boolean().optional(),
});

/**
 * Truncates rows to `maxLength` (keeping the start, transformers' default truncation side) and pads
 * them into a rectangle with the attention mask marking real tokens.
 */
export function padBatch(rows: readonly number[][], options: PadBatchOptions): BatchEncoding {
  if (options.padding === 'max_length' && options.maxLength === undefined) {
    throw new TrlError(
      'invalid-value',
      'encodeBatch: padding "max_length" needs maxLength; pass maxLength or use padding "longest".',
    );
  }
  const truncated = rows.map((row) =>
    options.maxLength === undefined ? row : row.slice(0, options.maxLength),
  );
  const targetLength =
    options.padding === 'max_length'
      ? (options.maxLength as number)
      : Math.max(0, ...truncated.map((row) => row.length));
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (const row of truncated) {
    const padCount = options.padding === false ? 0 : targetLength - row.length;
    if (padCount > 0 && options.padTokenId === undefined) {
      throw new TrlError(
        'invalid-argument',
        'encodeBatch: the tokenizer has neither a pad nor an eos token to pad with; ' +
          'call setSpecialTokens({ pad: "..." }) first or pass padding: false.',
      );
    }
    const padding = new Array<number>(padCount).fill(options.padTokenId ?? 0);
    const ones = new Array<number>(row.length).fill(1);
    const zeros = new Array<number>(padCount).fill(0);
    if (options.paddingSide === 'left') {
      inputIds.push([...padding, ...row]);
      attentionMask.push([...zeros, ...ones]);
    } else {
      inputIds.push([...row, ...padding]);
      attentionMask.push([...ones, ...zeros]);
    }
  }
  return { inputIds, attentionMask };
}
