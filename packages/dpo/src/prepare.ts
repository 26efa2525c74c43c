import { type Tokenizer, TrlError } from '@trl/core';

/** One tokenized preference pair, split as TRL does into a shared prompt and two completions. */
export interface DPOExample {
  /** Prompt token ids. */
  prompt: number[];
  /** Chosen completion token ids (ending in EOS when the tokenizer has one). */
  chosen: number[];
  /** Rejected completion token ids. */
  rejected: number[];
  /** Index of the source row. */
  index: number;
  /** Reference log-prob of the chosen completion, when precomputed. */
  refChosenLogps?: number;
  /** Reference log-prob of the rejected completion, when precomputed. */
  refRejectedLogps?: number;
}

/** What preprocessing did to a split. */
export interface DPODatasetStats {
  /** Rows read. */
  rows: number;
  /** Pairs kept. */
  examples: number;
  /** Pairs dropped because the prompt alone fills `maxLength` (no completion token would survive). */
  promptTooLong: number;
}

/** Options of {@link prepareDPODataset}. */
export interface PrepareOptions {
  tokenizer?: Tokenizer | undefined;
  maxLength: number | null;
  vocabSize: number;
  eosTokenId: number | undefined;
  split: string;
}

function fail(message: string): never {
  throw new TrlError('invalid-dataset', `DPOTrainer: ${message}`);
}

function ids(value: unknown, field: string, index: number, vocabSize: number, allowEmpty: boolean): number[] {
  if (
    !Array.isArray(value) ||
    (!allowEmpty && value.length === 0) ||
    !value.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)
  ) {
    fail(
      `row ${index}.${field} must be a${allowEmpty ? 'n' : ' non-empty'} array of token ids in [0, ${vocabSize}).`,
    );
  }
  return value as number[];
}

/**
 * Tokenizes `{ prompt, chosen, rejected }` rows the way TRL 1.13 does for standard (non-chat) data:
 * EOS is appended to each completion unless already there, then `prompt + completion` is encoded as one
 * text and split after the prompt's tokens, so merges across the boundary match TRL. Pre-tokenized rows
 * (`prompt_input_ids`, `chosen_input_ids`, `rejected_input_ids`) are used as given, EOS appended likewise.
 */
export function prepareDPODataset(
  rows: readonly unknown[],
  options: PrepareOptions,
): { examples: DPOExample[]; stats: DPODatasetStats } {
  if (rows.length === 0) fail(`the ${options.split} dataset is empty; give it at least one pair.`);
  const examples: DPOExample[] = [];
  let promptTooLong = 0;
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object')
      fail(`row ${index} is not an object with prompt, chosen and rejected.`);
    const record = row as Record<string, unknown>;
    let example: Omit<DPOExample, 'index'>;
    if (record.prompt_input_ids !== undefined || record.chosen_input_ids !== undefined) {
      const withEos = (completion: number[]) =>
        options.eosTokenId !== undefined && completion.at(-1) !== options.eosTokenId
          ? [...completion, options.eosTokenId]
          : completion;
      example = {
        prompt: ids(record.prompt_input_ids, 'prompt_input_ids', index, options.vocabSize, true),
        chosen: withEos(ids(record.chosen_input_ids, 'chosen_input_ids', index, options.vocabSize, false)),
        rejected: withEos(
          ids(record.rejected_input_ids, 'rejected_input_ids', index, options.vocabSize, false),
        ),
      };
    } else {
      for (const field of ['prompt', 'chosen', 'rejected'] as const) {
        if (typeof record[field] !== 'string') {
          fail(
            `row ${index}.${field} must be a string (got ${record[field] === undefined ? 'nothing' : typeof record[field]}); ` +
              'rows need prompt, chosen and rejected texts, or prompt_input_ids/chosen_input_ids/rejected_input_ids.',
          );
        }
      }
      const tokenizer = options.tokenizer;
      if (!tokenizer) fail(`row ${index} is text but no tokenizer was given; pass one or give token ids.`);
      const eosId = tokenizer.eosTokenId;
      const eosText = eosId === undefined ? '' : tokenizer.decode([eosId]);
      const withEos = (text: string) => (eosText !== '' && !text.endsWith(eosText) ? text + eosText : text);
      const prompt = tokenizer.encode(record.prompt as string);
      const split = (completion: string) => {
        const full = tokenizer.encode((record.prompt as string) + withEos(completion));
        return full.slice(prompt.length);
      };
      example = {
        prompt,
        chosen: split(record.chosen as string),
        rejected: split(record.rejected as string),
      };
      if (example.chosen.length === 0 || example.rejected.length === 0) {
        fail(`row ${index} has an empty chosen or rejected completion after tokenization.`);
      }
    }
    if (options.maxLength !== null && example.prompt.length >= options.maxLength) {
      promptTooLong++;
      return;
    }
    examples.push({ ...example, index });
  });
  if (examples.length === 0) {
    fail(
      `all ${rows.length} ${options.split} prompts fill maxLength ${options.maxLength}; raise maxLength or shorten the prompts.`,
    );
  }
  return { examples, stats: { rows: rows.length, examples: examples.length, promptTooLong } };
}
