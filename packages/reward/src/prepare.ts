import { type Tokenizer, TrlError } from '@trl/core';

/** One tokenized preference pair. */
export interface PairExample {
  /** Token ids of the preferred text. */
  chosen: number[];
  /** Token ids of the other text. */
  rejected: number[];
  /** Required reward gap (0 without a margin column). */
  margin: number;
}

/** What preprocessing did to a split. */
export interface PairDatasetStats {
  /** Rows read. */
  rows: number;
  /** Pairs kept. */
  examples: number;
  /** Pairs dropped because a side is longer than `maxLength` (TRL filters them out). */
  tooLong: number;
}

function tokens(
  value: unknown,
  field: string,
  index: number,
  tokenizer: Tokenizer | undefined,
  vocabSize: number,
): number[] {
  if (typeof value === 'string') {
    if (!tokenizer)
      throw new TrlError(
        'invalid-argument',
        `RewardTrainer: row ${index}.${field} is text but no tokenizer was given; pass one or give token ids.`,
      );
    const ids = tokenizer.encode(value);
    if (ids.length === 0)
      throw new TrlError(
        'invalid-dataset',
        `RewardTrainer: row ${index}.${field} is empty; every text needs at least one token.`,
      );
    return ids;
  }
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)
  ) {
    return value as number[];
  }
  if (Array.isArray(value)) {
    throw new TrlError(
      'invalid-dataset',
      `RewardTrainer: row ${index}.${field} must be a non-empty array of token ids in [0, ${vocabSize}).`,
    );
  }
  throw new TrlError(
    'invalid-dataset',
    `RewardTrainer: row ${index} has no "${field}" text or token ids (got ${value === undefined ? 'nothing' : typeof value}); rows need chosen and rejected.`,
  );
}

/** Validates and tokenizes preference rows, dropping pairs longer than `maxLength`. */
export function preparePairs(
  rows: readonly unknown[],
  options: { tokenizer?: Tokenizer; maxLength: number; vocabSize: number; split: string },
): { examples: PairExample[]; stats: PairDatasetStats } {
  if (rows.length === 0)
    throw new TrlError(
      'invalid-dataset',
      `RewardTrainer: the ${options.split} dataset is empty; give it at least one pair.`,
    );
  const examples: PairExample[] = [];
  let tooLong = 0;
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object')
      throw new TrlError(
        'invalid-dataset',
        `RewardTrainer: row ${index} is not an object with chosen and rejected.`,
      );
    const record = row as Record<string, unknown>;
    const chosen = tokens(record.chosen, 'chosen', index, options.tokenizer, options.vocabSize);
    const rejected = tokens(record.rejected, 'rejected', index, options.tokenizer, options.vocabSize);
    const margin = record.margin ?? 0;
    if (typeof margin !== 'number' || !Number.isFinite(margin)) {
      throw new TrlError(
        'invalid-dataset',
        `RewardTrainer: row ${index}.margin must be a finite number, got ${JSON.stringify(margin)}.`,
      );
    }
    if (chosen.length > options.maxLength || rejected.length > options.maxLength) {
      tooLong++;
      return;
    }
    examples.push({ chosen, rejected, margin });
  });
  if (examples.length === 0) {
    throw new TrlError(
      'invalid-dataset',
      `RewardTrainer: all ${rows.length} ${options.split} pairs are longer than maxLength ${options.maxLength}; raise maxLength or shorten the texts.`,
    );
  }
  return { examples, stats: { rows: rows.length, examples: examples.length, tooLong } };
}
