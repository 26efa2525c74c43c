import { type Tokenizer, TrlError } from '@trl/core';
import { maskToResponse } from './completion-only';
import type { SFTConfig } from './config';
import { packSequences } from './packing';
import { type FormattingFunc, rowText, type SFTExample, tokenizeRow } from './tokenize';

/** What preprocessing did to a dataset, for logs and tests. */
export interface SFTDatasetStats {
  /** Rows read. */
  rows: number;
  /** Training examples produced (chunks when packing). */
  examples: number;
  /** Rows cut to `maxSeqLength`. */
  truncated: number;
  /** Rows without the response template (completion-only): kept, but all labels -100. */
  withoutResponseTemplate: number;
  /** Rows dropped because they have fewer than 2 tokens (nothing to predict). */
  tooShort: number;
}

/** Everything preprocessing needs besides the rows. */
export interface PrepareContext<Row> {
  /** Validated settings. */
  config: SFTConfig;
  /** Encodes the text. */
  tokenizer: Tokenizer;
  /** Effective maximum length (the default capped by the model). */
  maxSeqLength: number;
  /** Response template ids, when training on completions only. */
  responseTemplateIds?: readonly number[];
  /** Token put between packed examples. */
  eosTokenId: number;
  /** Optional text builder. */
  formattingFunc?: FormattingFunc<Row>;
  /** `train` or `eval`, for messages. */
  split: string;
}

/** Tokenizes, truncates, masks or packs a dataset into examples, validating every row first. */
export function prepareSFTDataset<Row>(
  rows: readonly Row[],
  context: PrepareContext<Row>,
): { examples: SFTExample[]; stats: SFTDatasetStats } {
  const { config, tokenizer, maxSeqLength, split } = context;
  if (rows.length === 0)
    throw new TrlError(
      'invalid-dataset',
      `SFTTrainer: the ${split} dataset is empty; give it at least one row.`,
    );
  const texts = rows.map((row, index) =>
    rowText(row, index, config.datasetTextField, context.formattingFunc),
  );
  const stats: SFTDatasetStats = {
    rows: rows.length,
    examples: 0,
    truncated: 0,
    withoutResponseTemplate: 0,
    tooShort: 0,
  };
  if (config.packing) {
    if (context.responseTemplateIds) {
      throw new TrlError(
        'invalid-dataset',
        'SFTTrainer: packing cannot be combined with responseTemplate (chunks cut across responses); turn one off.',
      );
    }
    const flat = texts.map((text) => ('text' in text ? text.text : text.prompt + text.completion));
    const tokenized = flat.map((text) => tokenizer.encode(text));
    const examples = packSequences(tokenized, flat, {
      seqLength: maxSeqLength,
      concatTokenId: context.eosTokenId,
      bufferChars: maxSeqLength * config.charsPerToken * config.numOfSequences,
    });
    if (examples.length === 0) {
      const tokens = tokenized.reduce((sum, ids) => sum + ids.length + 1, 0);
      throw new TrlError(
        'invalid-dataset',
        `SFTTrainer: packing the ${split} dataset gave no chunk: ${tokens} tokens in all, fewer than maxSeqLength ${maxSeqLength}. Lower maxSeqLength or add rows.`,
      );
    }
    stats.examples = examples.length;
    return { examples, stats };
  }
  const examples: SFTExample[] = [];
  for (const text of texts) {
    const full = tokenizeRow(text, tokenizer, Number.MAX_SAFE_INTEGER, config.completionOnlyLoss);
    if (full.inputIds.length > maxSeqLength) stats.truncated++;
    let example = {
      inputIds: full.inputIds.slice(0, maxSeqLength),
      labels: full.labels.slice(0, maxSeqLength),
    };
    if (example.inputIds.length < 2) {
      stats.tooShort++;
      continue;
    }
    if (context.responseTemplateIds) {
      const masked = maskToResponse(example, context.responseTemplateIds);
      if (!masked.found) stats.withoutResponseTemplate++;
      example = masked.example;
    }
    examples.push(example);
  }
  if (examples.length === 0) {
    throw new TrlError(
      'invalid-dataset',
      `SFTTrainer: every row of the ${split} dataset has fewer than 2 tokens; there is nothing to learn.`,
    );
  }
  if (context.responseTemplateIds && stats.withoutResponseTemplate === examples.length) {
    throw new TrlError(
      'invalid-dataset',
      `SFTTrainer: responseTemplate ${JSON.stringify(config.responseTemplate)} (ids [${context.responseTemplateIds.join(', ')}]) ` +
        `never occurs in the ${split} dataset's ${examples.length} tokenized rows (after truncation to ${maxSeqLength}). ` +
        'Check the template text, or pass its token ids as they appear inside a row (tokenization depends on context).',
    );
  }
  stats.examples = examples.length;
  return { examples, stats };
}
