import { type GenerationOptions, type Rng, TrlError, type ValueHeadModel } from '@trl/core';
import { chunks } from './chunks';
import { type TokenRow, toIds } from './samples';

/** Options of `PPOTrainer.generate`: TRL's helper arguments plus any generation option. */
export interface PPOGenerateOptions extends Partial<GenerationOptions> {
  /** Draws `maxNewTokens` once per generation batch (TRL `length_sampler`), e.g. `LengthSampler.sample`. */
  lengthSampler?: () => number;
  /** Prompts per `model.generate` call (TRL `batch_size`). Default 4. */
  batchSize?: number;
  /**
   * Return prompt + response (true, TRL's default) or the response alone. An encoder-decoder's
   * output is the response alone (the prompt went to the encoder), as in TRL.
   */
  returnPrompt?: boolean;
}

/**
 * TRL `PPOTrainer.generate` for a list of queries: generates in batches of `batchSize` (each with a
 * fresh `maxNewTokens` from `lengthSampler` and a seed from `rng` unless one is given), cuts every
 * response after its first eos (kept), and returns the token ids, with the prompt unless
 * `returnPrompt` is false.
 */
export async function generateResponses(
  model: Pick<ValueHeadModel, 'generate'>,
  queries: readonly TokenRow[],
  options: PPOGenerateOptions,
  defaults: { eosTokenId: number | undefined; padTokenId: number; rng: Rng; encoderDecoder?: boolean },
): Promise<number[][]> {
  const fn = 'PPOTrainer.generate';
  const { lengthSampler, batchSize = 4, returnPrompt = !defaults.encoderDecoder, ...generation } = options;
  if (defaults.encoderDecoder && returnPrompt) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: an encoder-decoder's responses never contain the prompt (it goes to the encoder); drop \`returnPrompt\`.`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`batchSize\` must be an integer >= 1, got ${String(batchSize)}.`,
    );
  }
  if (!Array.isArray(queries) || queries.length === 0) {
    throw new TrlError('invalid-argument', `${fn}: \`queries\` must be a non-empty array of token-id rows.`);
  }
  const prompts = queries.map((query, index) => {
    const ids = toIds(fn, `queries[${index}]`, query);
    if (ids.length === 0)
      throw new TrlError(
        'invalid-argument',
        `${fn}: \`queries[${index}]\` is empty; a prompt needs at least one token.`,
      );
    return ids;
  });
  const results: number[][] = [];
  for (const batch of chunks(prompts, batchSize)) {
    const maxNewTokens = lengthSampler ? lengthSampler() : generation.maxNewTokens;
    if (maxNewTokens === undefined) {
      throw new TrlError('invalid-argument', `${fn}: pass \`maxNewTokens\` or a \`lengthSampler\`.`);
    }
    const seed = generation.seed ?? defaults.rng.nextSeed();
    const outputs = await model.generate(batch, {
      padTokenId: defaults.padTokenId,
      ...generation,
      maxNewTokens,
      seed,
    });
    outputs.forEach((output, index) => {
      const eos = defaults.eosTokenId;
      const cut = eos === undefined ? -1 : output.tokenIds.indexOf(eos);
      const response = cut < 0 ? output.tokenIds : output.tokenIds.slice(0, cut + 1);
      results.push(returnPrompt ? [...(batch[index] as number[]), ...response] : response);
    });
  }
  return results;
}
