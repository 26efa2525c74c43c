import { type Tokenizer, TrlError } from '@trl/core';

/** One tokenized training example before batching. */
export interface SFTExample {
  /** Token ids. */
  inputIds: number[];
  /** Target ids aligned with `inputIds`; -100 where no loss is taken. */
  labels: number[];
}

/** Label value that contributes no loss (PyTorch's and TRL's ignore index). */
export const IGNORE_INDEX = -100;

/** Where a row's text comes from. */
export type FormattingFunc<Row> = (row: Row) => string;

/** A row's text, or a prompt/completion pair, read as SFTTrainer does. */
export type RowText = { text: string } | { prompt: string; completion: string };

/**
 * Reads the training text of `row`: `formattingFunc(row)` when given, else the `textField` column,
 * else a `prompt` + `completion` pair. Throws naming the row, the field and the fix.
 */
export function rowText<Row>(
  row: Row,
  index: number,
  textField: string,
  formattingFunc?: FormattingFunc<Row>,
): RowText {
  if (formattingFunc) {
    const text = formattingFunc(row);
    if (typeof text !== 'string') {
      throw new TrlError(
        'invalid-argument',
        `SFTTrainer: formattingFunc returned ${typeof text} for row ${index}; it must return a string.`,
      );
    }
    return { text };
  }
  const record = (row ?? {}) as Record<string, unknown>;
  if (typeof record[textField] === 'string') return { text: record[textField] as string };
  if (typeof record.prompt === 'string' && typeof record.completion === 'string') {
    return { prompt: record.prompt, completion: record.completion };
  }
  const fields = row !== null && typeof row === 'object' ? Object.keys(row).join(', ') || 'none' : typeof row;
  throw new TrlError(
    'invalid-dataset',
    `SFTTrainer: row ${index} has no string field "${textField}" (fields: ${fields}). ` +
      'Set datasetTextField to the text column, pass formattingFunc, or give prompt/completion rows.',
  );
}

/**
 * Tokenizes one row: plain text is trained on everywhere; a prompt/completion pair is encoded in
 * two parts so the prompt can be masked (`completionOnly`). Truncated to `maxLength` tokens.
 */
export function tokenizeRow(
  text: RowText,
  tokenizer: Tokenizer,
  maxLength: number,
  completionOnly: boolean,
): SFTExample {
  let inputIds: number[];
  let labels: number[];
  if ('text' in text) {
    inputIds = tokenizer.encode(text.text);
    labels = inputIds.slice();
  } else {
    const prompt = tokenizer.encode(text.prompt);
    const completion = tokenizer.encode(text.completion);
    inputIds = [...prompt, ...completion];
    labels = completionOnly ? [...prompt.map(() => IGNORE_INDEX), ...completion] : inputIds.slice();
  }
  return { inputIds: inputIds.slice(0, maxLength), labels: labels.slice(0, maxLength) };
}
