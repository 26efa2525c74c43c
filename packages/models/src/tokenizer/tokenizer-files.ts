import { TrlError } from '@trl/core';
import { z } from 'zod';

/** File names a Hugging Face tokenizer directory uses. */
export const TOKENIZER_FILE = 'tokenizer.json';
/** transformers' tokenizer settings: special tokens, padding side, added tokens. */
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
/** Older transformers file listing the special tokens by role. */
export const SPECIAL_TOKENS_MAP_FILE = 'special_tokens_map.json';

/** One entry of `added_tokens` in tokenizer.json, as the Rust `tokenizers` library writes it. */
export interface AddedTokenJson {
  /** Token id. */
  id: number;
  /** The token's text. */
  content: string;
  /** Only match when the token is a whole word. */
  single_word: boolean;
  /** Swallow whitespace on the left when matching. */
  lstrip: boolean;
  /** Swallow whitespace on the right when matching. */
  rstrip: boolean;
  /** Match against normalized text rather than raw input. */
  normalized: boolean;
  /** Special tokens are skipped by `decode(..., { skipSpecialTokens: true })`. */
  special: boolean;
}

/**
 * The parts of tokenizer.json this package reads. Components (normalizer, pre-tokenizer, model,
 * post-processor, decoder) are kept as opaque JSON: `@huggingface/tokenizers` interprets them, and
 * keeping them verbatim lets `savePretrained` write back exactly what was loaded.
 */
export interface TokenizerJson {
  /** Format version, `1.0`. */
  version?: string;
  /** Truncation settings of the Rust library; unused here, preserved on save. */
  truncation?: unknown;
  /** Padding settings of the Rust library; unused here, preserved on save. */
  padding?: unknown;
  /** Tokens matched before the model runs (special tokens and user-added tokens). */
  added_tokens: AddedTokenJson[];
  /** Text normalization, or null. */
  normalizer: unknown;
  /** Splitting into words before the model, or null. */
  pre_tokenizer: unknown;
  /** The tokenization model (BPE, WordPiece, Unigram) with its vocabulary. */
  model: { type?: string } & Record<string, unknown>;
  /** Adds special tokens around encoded text, or null. */
  post_processor: unknown;
  /** Turns tokens back into text, or null. */
  decoder: unknown;
}

/** A special token in tokenizer_config.json / special_tokens_map.json: a string or an AddedToken dict. */
const specialTokenValue = z
  .union([z.string(), z.looseObject({ content: z.string() })])
  .nullable()
  .optional();

/** A special token value as written in transformers' JSON files. */
export type SpecialTokenValue = z.infer<typeof specialTokenValue>;

const addedTokenJson = z.object({
  id: z.number().int().nonnegative(),
  content: z.string().min(1),
  single_word: z.boolean().default(false),
  lstrip: z.boolean().default(false),
  rstrip: z.boolean().default(false),
  normalized: z.boolean().default(false),
  special: z.boolean().default(false),
});

const tokenizerJsonSchema = z.looseObject({
  version: z.string().optional(),
  added_tokens: z.array(addedTokenJson).nullable().default([]),
  normalizer: z.unknown().default(null),
  pre_tokenizer: z.unknown().default(null),
  model: z.looseObject({ type: z.string().optional() }),
  post_processor: z.unknown().default(null),
  decoder: z.unknown().default(null),
});

const specialTokenRoles = {
  bos_token: specialTokenValue,
  eos_token: specialTokenValue,
  unk_token: specialTokenValue,
  pad_token: specialTokenValue,
  sep_token: specialTokenValue,
  cls_token: specialTokenValue,
  mask_token: specialTokenValue,
  additional_special_tokens: z
    .array(z.union([z.string(), z.looseObject({ content: z.string() })]))
    .optional(),
};

const tokenizerConfigSchema = z.looseObject({
  ...specialTokenRoles,
  padding_side: z.enum(['left', 'right']).optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  added_tokens_decoder: z.record(z.string(), addedTokenJson.omit({ id: true })).optional(),
});

const specialTokensMapSchema = z.looseObject(specialTokenRoles);

/** tokenizer_config.json as transformers writes it; unknown keys are preserved. */
export type TokenizerConfigJson = z.infer<typeof tokenizerConfigSchema>;

/** special_tokens_map.json; unknown keys are preserved. */
export type SpecialTokensMapJson = z.infer<typeof specialTokensMapSchema>;

/** Validates parsed tokenizer.json contents; `source` names the file in errors. */
export function parseTokenizerJson(value: unknown, source: string): TokenizerJson {
  const parsed = parseWith(tokenizerJsonSchema, value, source);
  const model = { ...parsed.model, type: tokenizerModelType(parsed.model, source) };
  return { ...parsed, model, added_tokens: parsed.added_tokens ?? [] } as TokenizerJson;
}

/** Validates parsed tokenizer_config.json contents; `source` names the file in errors. */
export function parseTokenizerConfig(value: unknown, source: string): TokenizerConfigJson {
  return parseWith(tokenizerConfigSchema, value, source);
}

/** Validates parsed special_tokens_map.json contents; `source` names the file in errors. */
export function parseSpecialTokensMap(value: unknown, source: string): SpecialTokensMapJson {
  return parseWith(specialTokensMapSchema, value, source);
}

/** The tokenization models `@huggingface/tokenizers` implements. */
export const SUPPORTED_TOKENIZER_MODELS = ['BPE', 'WordPiece', 'Unigram'] as const;

/**
 * The model's type, inferred as the Rust library does when the file omits it. Anything else is
 * refused: `@huggingface/tokenizers` would fall back to a model that encodes every text as nothing.
 */
function tokenizerModelType(model: { type?: string } & Record<string, unknown>, source: string): string {
  const supported: readonly string[] = SUPPORTED_TOKENIZER_MODELS;
  if (model.type !== undefined) {
    if (supported.includes(model.type)) return model.type;
    throw new TrlError(
      'unsupported-file',
      `${source}: model.type "${model.type}" is not supported (only ${supported.join(', ')}); convert the tokenizer to one of them, e.g. retrain it as BPE.`,
    );
  }
  if (Array.isArray(model.vocab)) return 'Unigram';
  if (Array.isArray(model.merges)) return 'BPE';
  if (typeof model.vocab === 'object' && model.vocab !== null && 'continuing_subword_prefix' in model)
    return 'WordPiece';
  throw new TrlError(
    'invalid-file',
    `${source}: model.type is missing and the model is not recognisable as ${supported.join(', ')}; add "type" to the "model" object.`,
  );
}

/** Parses JSON text, naming `source` and the fix when it is not valid JSON. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrlError(
      'invalid-file',
      `${source} is not valid JSON (${reason}); re-download or regenerate the file.`,
    );
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new TrlError('invalid-file', `${source} is not a valid Hugging Face tokenizer file: ${issues}.`);
}
