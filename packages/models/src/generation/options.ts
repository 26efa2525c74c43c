import { assertKnownKeys, type GenerationOptions, type Tokenizer, TrlError } from '@trl/core';

/** Generation options checked against the batch and the model, defaults filled in. */
export interface ResolvedGeneration {
  /** Upper bound on new tokens per row. */
  readonly maxNewTokens: number;
  /** eos is masked before this many new tokens. */
  readonly minNewTokens: number;
  /** Sample (true) or take the argmax. */
  readonly doSample: boolean;
  /** Softmax temperature (sampling only). */
  readonly temperature: number;
  /** Top-k filter size, 0 = off. */
  readonly topK: number;
  /** Nucleus mass, 1 = off. */
  readonly topP: number;
  /** Seed of the sampling generator. */
  readonly seed: number;
  /** Ids that end a row with reason `eos`. */
  readonly eosTokenIds: ReadonlySet<number>;
  /** Id used for left padding. */
  readonly padTokenId: number;
  /** Extra stop ids, per row. */
  readonly stopTokenIds: readonly ReadonlySet<number>[];
  /** Stop strings, per row. */
  readonly stopStrings: readonly (readonly string[])[];
  /** Tokenizer for stop strings. */
  readonly tokenizer: Tokenizer | undefined;
  /** Whether a registered fast decoder may be used. */
  readonly fastDecoder: boolean;
}

/** Facts about the model that bound the options. */
export interface GenerationLimits {
  /** Vocabulary size. */
  readonly vocabSize: number;
  /** The config's eos id (or ids: Llama 3 instruct lists several), the default for `eosTokenId`. */
  readonly eosTokenId: number | readonly number[] | undefined;
}

/** Every generation option; a Record so the compiler flags an option added to the spec but not here. */
const GENERATION_KEYS: Record<keyof GenerationOptions, true> = {
  maxNewTokens: true,
  minNewTokens: true,
  doSample: true,
  temperature: true,
  topK: true,
  topP: true,
  seed: true,
  eosTokenId: true,
  padTokenId: true,
  stopTokenIds: true,
  stopStrings: true,
  tokenizer: true,
  fastDecoder: true,
};

/** transformers' generate() keywords spelt differently here. */
const GENERATION_HINTS = { maxLength: 'trl-ts bounds new tokens only; use maxNewTokens' } as const;

/**
 * Validates `options` for a batch of `rows` prompts and applies transformers' defaults. Every
 * problem is reported with the option's name and how to fix it.
 */
export function resolveGenerationOptions(
  options: GenerationOptions,
  rows: number,
  limits: GenerationLimits,
): ResolvedGeneration {
  if (typeof options !== 'object' || options === null) {
    throw new TrlError('invalid-argument', 'generate() needs an options object with at least maxNewTokens.');
  }
  // A misspelt option (topk, max_new_tokens) would otherwise silently fall back to its default.
  assertKnownKeys('generate()', options, Object.keys(GENERATION_KEYS), { hints: GENERATION_HINTS });
  const intAtLeast = (name: string, value: number | undefined, min: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min)
      throw new TrlError('invalid-value', `${name} must be an integer ≥ ${min}, got ${value}.`);
    return value;
  };
  const maxNewTokens = intAtLeast('maxNewTokens', options.maxNewTokens, 0, Number.NaN);
  if (Number.isNaN(maxNewTokens))
    throw new TrlError('invalid-value', 'maxNewTokens is required (an integer ≥ 0).');
  const minNewTokens = intAtLeast('minNewTokens', options.minNewTokens, 0, 0);
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new TrlError(
      'invalid-value',
      `temperature must be a finite number > 0, got ${temperature}; use doSample: false for greedy.`,
    );
  }
  const topK = intAtLeast('topK', options.topK, 0, 0);
  const topP = options.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new TrlError('invalid-value', `topP must be in (0, 1], got ${topP}.`);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new TrlError('invalid-value', `seed must be an integer, got ${seed}.`);

  const tokenId = (name: string, id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= limits.vocabSize) {
      throw new TrlError(
        'invalid-value',
        `${name} ${id} is not a token id of this model (0..${limits.vocabSize - 1}).`,
      );
    }
    return id;
  };
  const eosList =
    options.eosTokenId === undefined
      ? limits.eosTokenId === undefined
        ? []
        : typeof limits.eosTokenId === 'number'
          ? [limits.eosTokenId]
          : [...limits.eosTokenId]
      : typeof options.eosTokenId === 'number'
        ? [options.eosTokenId]
        : [...options.eosTokenId];
  const eosTokenIds = new Set(eosList.map((id) => tokenId('eosTokenId', id)));
  const padTokenId = tokenId('padTokenId', options.padTokenId ?? eosList[0] ?? 0);

  const stopTokenIds = perRow(
    'stopTokenIds',
    options.stopTokenIds,
    rows,
    (v): v is number => typeof v === 'number',
  ).map((ids) => new Set(ids.map((id) => tokenId('stopTokenIds', id))));
  const stopStrings = perRow(
    'stopStrings',
    options.stopStrings,
    rows,
    (v): v is string => typeof v === 'string',
  );
  for (const list of stopStrings) {
    if (list.some((s) => s.length === 0))
      throw new TrlError('invalid-value', 'stopStrings must not contain empty strings.');
  }
  if (stopStrings.some((list) => list.length > 0) && !options.tokenizer) {
    throw new TrlError('invalid-value', 'stopStrings need options.tokenizer to decode the generated tokens.');
  }
  if (options.fastDecoder !== undefined && typeof options.fastDecoder !== 'boolean') {
    throw new TrlError(
      'invalid-value',
      `fastDecoder must be true or false, got ${String(options.fastDecoder)}.`,
    );
  }
  return {
    maxNewTokens,
    minNewTokens,
    doSample: options.doSample ?? true,
    temperature,
    topK,
    topP,
    seed,
    eosTokenIds,
    padTokenId,
    stopTokenIds,
    stopStrings,
    tokenizer: options.tokenizer,
    fastDecoder: options.fastDecoder ?? true,
  };
}

/** Expands "one list for all rows or one list per row" into one list per row. */
function perRow<T>(
  name: string,
  value: readonly T[] | readonly (readonly T[])[] | undefined,
  rows: number,
  isItem: (v: unknown) => v is T,
): (readonly T[])[] {
  if (value === undefined) return Array.from({ length: rows }, () => []);
  if (!Array.isArray(value)) throw new TrlError('invalid-value', `${name} must be an array.`);
  if (value.every((v) => isItem(v))) return Array.from({ length: rows }, () => value as readonly T[]);
  if (value.every((v) => Array.isArray(v) && v.every((x) => isItem(x)))) {
    if (value.length !== rows) {
      throw new TrlError(
        'invalid-value',
        `${name} has ${value.length} per-row lists but there are ${rows} prompts; give one list per prompt.`,
      );
    }
    return value as (readonly T[])[];
  }
  throw new TrlError(
    'invalid-value',
    `${name} must be one list for all rows or one list per row, not a mix.`,
  );
}
