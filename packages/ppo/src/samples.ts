import { TrlError, tf } from '@trl/core';

/** A row of token ids: a plain array or an int32 1-D tensor (read back once). */
export type TokenRow = readonly number[] | tf.Tensor1D;

/** One validated training sample: ids as plain arrays, the response mask as 0/1. */
export interface Sample {
  /** Query (prompt) token ids, at least one. */
  query: number[];
  /** Response token ids, at least one. */
  response: number[];
  /** 1 where the response token was produced by the model, 0 for tool output; one entry per token. */
  responseMask: number[];
  /** The scalar score of the sample. */
  score: number;
}

/** Limits a sample must respect. */
export interface SampleLimits {
  /** Token ids must be below this. */
  vocabSize: number;
  /** Query plus response must fit in this many positions (each on its own for an encoder-decoder). */
  maxPositions: number;
  /** The query goes to an encoder and the response, after the decoder start token, to the decoder. */
  encoderDecoder?: boolean;
}

/** A token row as a plain array of ids; a tensor must be 1-D int32. `fn`/`name` label errors. */
export function toIds(fn: string, name: string, row: unknown): number[] {
  if (row instanceof tf.Tensor) {
    if (row.rank !== 1 || row.dtype !== 'int32') {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`${name}\` must be a 1-D int32 tensor or an array of token ids, got a ${row.dtype} tensor of shape [${row.shape.join(', ')}].`,
      );
    }
    return Array.from(row.dataSync());
  }
  if (!Array.isArray(row)) {
    throw new TrlError(
      'invalid-dataset',
      `${fn}: \`${name}\` must be an array of token ids or an int32 tensor, got ${typeof row}.`,
    );
  }
  return row as number[];
}

function checkIds(fn: string, name: string, ids: readonly number[], limits: SampleLimits): void {
  for (const [position, id] of ids.entries()) {
    if (!Number.isInteger(id) || id < 0 || id >= limits.vocabSize) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`${name}[${position}]\` is ${String(id)}; token ids must be integers in [0, ${limits.vocabSize}) ` +
          '(the model vocabulary). Was it encoded with another tokenizer?',
      );
    }
  }
}

function checkList(fn: string, name: string, list: unknown, expected?: number): asserts list is unknown[] {
  if (!Array.isArray(list))
    throw new TrlError('invalid-dataset', `${fn}: \`${name}\` must be an array, got ${typeof list}.`);
  if (expected !== undefined && list.length !== expected) {
    throw new TrlError(
      'invalid-dataset',
      `${fn}: \`${name}\` has ${list.length} entries but \`queries\` has ${expected}; pass one per sample.`,
    );
  }
}

/**
 * Checks and normalises the arguments of `PPOTrainer.step`: equal list lengths, non-empty queries and
 * responses, ids inside the vocabulary, finite scores, masks of 0/1 as long as their responses with at
 * least one model token (the score goes on the last one).
 */
export function toSamples(
  queries: readonly TokenRow[],
  responses: readonly TokenRow[],
  scores: readonly number[],
  responseMasks: readonly (readonly number[])[] | undefined,
  limits: SampleLimits,
): Sample[] {
  const fn = 'PPOTrainer.step';
  checkList(fn, 'queries', queries);
  if (queries.length === 0)
    throw new TrlError('invalid-dataset', `${fn}: \`queries\` is empty; pass at least one sample.`);
  checkList(fn, 'responses', responses, queries.length);
  checkList(fn, 'scores', scores, queries.length);
  if (responseMasks !== undefined) checkList(fn, 'responseMasks', responseMasks, queries.length);
  return queries.map((queryRow, index) => {
    const query = toIds(fn, `queries[${index}]`, queryRow);
    const response = toIds(fn, `responses[${index}]`, responses[index]);
    if (query.length === 0) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`queries[${index}]\` is empty; every query needs at least one token (e.g. a bos token), because the first response token is predicted from it.`,
      );
    }
    if (response.length === 0) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`responses[${index}]\` is empty; there is nothing to train on. Drop the sample or let generation produce at least one token.`,
      );
    }
    checkIds(fn, `queries[${index}]`, query, limits);
    checkIds(fn, `responses[${index}]`, response, limits);
    if (limits.encoderDecoder) {
      const longest = Math.max(query.length, response.length + 1);
      if (longest > limits.maxPositions) {
        throw new TrlError(
          'invalid-dataset',
          `${fn}: sample ${index} has ${query.length} query (encoder) and ${response.length} + 1 response (decoder) tokens, more than the model's ${limits.maxPositions} positions; truncate it.`,
        );
      }
    } else if (query.length + response.length > limits.maxPositions) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: sample ${index} has ${query.length} query + ${response.length} response tokens, more than the model's ${limits.maxPositions} positions; truncate it.`,
      );
    }
    const score = scores[index];
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`scores[${index}]\` is ${String(score)}; every score must be a finite number.`,
      );
    }
    const responseMask = responseMasks ? checkMask(fn, index, responseMasks[index], response.length) : null;
    return { query, response, responseMask: responseMask ?? response.map(() => 1), score };
  });
}

function checkMask(fn: string, index: number, mask: unknown, length: number): number[] {
  const name = `responseMasks[${index}]`;
  if (!Array.isArray(mask))
    throw new TrlError('invalid-dataset', `${fn}: \`${name}\` must be an array of 0/1, got ${typeof mask}.`);
  if (mask.length !== length) {
    throw new TrlError(
      'invalid-dataset',
      `${fn}: \`${name}\` has ${mask.length} entries but \`responses[${index}]\` has ${length} tokens; a response mask has one 0/1 per response token.`,
    );
  }
  for (const [position, value] of mask.entries()) {
    if (value !== 0 && value !== 1) {
      throw new TrlError(
        'invalid-dataset',
        `${fn}: \`${name}[${position}]\` is ${String(value)}; mask entries must be 0 or 1.`,
      );
    }
  }
  if (!mask.includes(1)) {
    throw new TrlError(
      'invalid-dataset',
      `${fn}: \`${name}\` has no 1, so the sample has no model token to put its score on; drop the sample.`,
    );
  }
  return mask as number[];
}
