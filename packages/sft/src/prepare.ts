import { type Tokenizer, TrlError } from '@trl/core';
import { maskToResponse } from './completion-only';
import type { SFTConfig } from './config';
import { packSequences } from './packing';
import { isPretokenizedRow, pretokenizedExample } from './pretokenized';
import { type FormattingFunc, type RowText, rowText, type SFTExample, tokenizeRow } from './tokenize';

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
  /** The model's vocabulary size; ids of pre-tokenized rows must be below it. */
  vocabSize?: number;
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
  if (!context.formattingFunc && isPretokenizedRow(rows[0])) {
    return prepareExamples(pretokenizedExamples(rows, context), context);
  }
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
  return prepareExamples(
    texts.map((text: RowText) =>
      tokenizeRow(text, tokenizer, Number.MAX_SAFE_INTEGER, config.completionOnlyLoss),
    ),
    context,
  );
}

/**
 * The examples of a pre-tokenized dataset (TRL decides by the `input_ids` column: every row must have
 * it once the first does). Packing needs the texts, so it is refused.
 */
function pretokenizedExamples<Row>(rows: readonly Row[], context: PrepareContext<Row>): SFTExample[] {
  const { config, split } = context;
  if (config.packing) {
    throw new TrlError(
      'invalid-dataset',
      `SFTTrainer: the ${split} dataset is pre-tokenized (input_ids); packing needs text rows, so turn packing off.`,
    );
  }
  return rows.map((row, index) => {
    if (!isPretokenizedRow(row)) {
      throw new TrlError(
        'invalid-dataset',
        `SFTTrainer: row ${index} of the ${split} dataset has no field "input_ids" but row 0 has; give every row input_ids.`,
      );
    }
    return pretokenizedExample(row, index, {
      completionOnlyLoss: config.completionOnlyLoss,
      vocabSize: context.vocabSize,
    });
  });
}

/** Truncates, drops rows too short to predict anything and applies the response template. */
function prepareExamples<Row>(
  tokenized: readonly SFTExample[],
  context: PrepareContext<Row>,
): { examples: SFTExample[]; stats: SFTDatasetStats } {
  const { config, maxSeqLength, split } = context;
  const stats: SFTDatasetStats = {
    rows: tokenized.length,
    examples: 0,
    truncated: 0,
    withoutResponseTemplate: 0,
    tooShort: 0,
  };
  const examples: SFTExample[] = [];
  for (const full of tokenized) {
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
