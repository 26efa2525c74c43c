import { TrlError } from '@trl/core';
import { IGNORE_INDEX, type SFTExample } from './tokenize';

/**
 * A row that is already tokenized, with TRL's column names: `input_ids`, and optionally
 * `completion_mask` (1 where the token is trained on, 0 where it is context only, e.g. a prompt or a
 * tool's output), aligned with `input_ids`.
 */
export interface PretokenizedRow {
  /** Token ids of the whole sequence. */
  input_ids: readonly number[];
  /** 1 = learn this token, 0 = no loss on it; every token is learned when omitted. */
  completion_mask?: readonly number[];
}

/** How {@link pretokenizedExample} reads a row. */
export interface PretokenizedOptions {
  /** Apply `completion_mask` (TRL's `completion_only_loss`); false trains on every token. Default true. */
  completionOnlyLoss?: boolean;
  /** When given, every id must be below it (the model's vocabulary size). */
  vocabSize?: number;
  /** Who is reading, for messages. Default `SFTTrainer`. */
  owner?: string;
}

/** True when `row` is a pre-tokenized row (it has an `input_ids` field), as TRL decides by the column. */
export function isPretokenizedRow(row: unknown): row is PretokenizedRow {
  return row !== null && typeof row === 'object' && 'input_ids' in row;
}

/**
 * The example of a pre-tokenized row: `inputIds` are its ids, `labels` the same ids with -100 where
 * `completion_mask` is 0. Throws naming the row and the field for ids that are not integers in the
 * vocabulary, and for a mask that is not 0/1 or not as long as the ids.
 */
export function pretokenizedExample(
  row: PretokenizedRow,
  index: number,
  options: PretokenizedOptions = {},
): SFTExample {
  const owner = options.owner ?? 'SFTTrainer';
  const fail = (field: string, problem: string): never => {
    throw new TrlError('invalid-dataset', `${owner}: row ${index} field "${field}" ${problem}.`);
  };
  const ids = row.input_ids;
  if (!Array.isArray(ids) || ids.length === 0) fail('input_ids', 'must be a non-empty array of token ids');
  const limit = options.vocabSize ?? Number.MAX_SAFE_INTEGER;
  const badId = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= limit);
  if (badId >= 0) {
    const range = options.vocabSize === undefined ? 'a non-negative integer' : `an integer in [0, ${limit})`;
    fail('input_ids', `has ${JSON.stringify(ids[badId])} at position ${badId}; every id must be ${range}`);
  }
  const mask = row.completion_mask;
  if (mask === undefined || options.completionOnlyLoss === false)
    return { inputIds: [...ids], labels: [...ids] };
  if (!Array.isArray(mask) || mask.length !== ids.length) {
    const length = Array.isArray(mask) ? `${mask.length} entries` : typeof mask;
    fail('completion_mask', `has ${length} but input_ids has ${ids.length} tokens; give one 0/1 per token`);
  }
  const badFlag = mask.findIndex((flag) => flag !== 0 && flag !== 1);
  if (badFlag >= 0)
    fail('completion_mask', `has ${JSON.stringify(mask[badFlag])} at position ${badFlag}; use 0 or 1`);
  return { inputIds: [...ids], labels: ids.map((id, t) => (mask[t] === 1 ? id : IGNORE_INDEX)) };
}

/** A next-token batch: the targets already shifted, so position t of `labels` is what `inputIds` t predicts. */
export interface NextTokenBatch {
  /** `inputIds[:-1]` of each example, right-padded with the pad id. */
  inputIds: number[][];
  /** `labels[1:]` of each example, -100 on padding. */
  labels: number[][];
}

/**
 * Builds a {@link NextTokenBatch} for a loop of your own (`crossEntropy(model(inputIds), labels,
 * { ignoreIndex: -100 })`): each row is one token shorter than the longest example. No attention mask
 * is needed: under causal attention no real token sees the right padding, and padding has no loss.
 */
export function nextTokenBatch(examples: readonly SFTExample[], padTokenId: number): NextTokenBatch {
  const width = Math.max(...examples.map((example) => example.inputIds.length)) - 1;
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (const example of examples) {
    const inputRow = new Array<number>(width).fill(padTokenId);
    const labelRow = new Array<number>(width).fill(IGNORE_INDEX);
    for (let t = 0; t < example.inputIds.length - 1; t++) {
      inputRow[t] = example.inputIds[t] as number;
      labelRow[t] = example.labels[t + 1] as number;
    }
    inputIds.push(inputRow);
    labels.push(labelRow);
  }
  return { inputIds, labels };
}
