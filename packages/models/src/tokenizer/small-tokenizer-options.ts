import { TrlError } from '@trl/core';
import { z } from 'zod';
import { BYTE_TO_CHAR } from './byte-level';

/** Special tokens of the small example tokenizers unless told otherwise. */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['<|endoftext|>', '<|pad|>'];

/** Options shared by the small tokenizers built from scratch. */
export const smallTokenizerOptionsSchema = z.object({
  /** Special tokens, each matched as one id; default `<|endoftext|>` and `<|pad|>`. */
  specialTokens: z
    .array(z.string().min(1, 'special tokens must be non-empty strings'))
    .default([...DEFAULT_SPECIAL_TOKENS]),
  /** End-of-sequence token; default `<|endoftext|>` when listed in `specialTokens`. */
  eosToken: z.string().min(1).optional(),
  /** Beginning-of-sequence token; default the eos token, as GPT-2. */
  bosToken: z.string().min(1).optional(),
  /** Padding token; default `<|pad|>` when listed in `specialTokens`. */
  padToken: z.string().min(1).optional(),
  /** Default padding side of the tokenizer; default `right`. */
  paddingSide: z.enum(['left', 'right']).default('right'),
});

/** Options shared by `createByteLevelTokenizer` and `trainBpeTokenizer`. */
export type SmallTokenizerOptions = z.input<typeof smallTokenizerOptionsSchema>;

/** The special tokens (deduplicated, role tokens included) and their roles. */
export interface ResolvedSpecialTokens {
  /** Every special token, in id order. */
  tokens: string[];
  /** tokenizer_config.json entries for the roles. */
  roles: { eos_token?: string; bos_token?: string; pad_token?: string; additional_special_tokens: string[] };
}

/** Applies the role defaults and makes sure every role token is among the special tokens. */
export function resolveSmallTokenizerSpecials(
  options: z.output<typeof smallTokenizerOptionsSchema>,
): ResolvedSpecialTokens {
  const listed = new Set(options.specialTokens);
  const eos = options.eosToken ?? (listed.has('<|endoftext|>') ? '<|endoftext|>' : undefined);
  const bos = options.bosToken ?? eos;
  const pad = options.padToken ?? (listed.has('<|pad|>') ? '<|pad|>' : undefined);
  const tokens = [...new Set([...options.specialTokens, ...[eos, bos, pad].filter((t) => t !== undefined)])];
  const byteToken = tokens.find((token) => BYTE_TO_CHAR.includes(token));
  if (byteToken !== undefined) {
    throw new TrlError(
      'invalid-value',
      `special token ${JSON.stringify(byteToken)} is already a byte token; pick a multi-character marker such as "<sep>".`,
    );
  }
  const roleTokens = new Set([eos, bos, pad]);
  return {
    tokens,
    roles: {
      ...(eos === undefined ? {} : { eos_token: eos }),
      ...(bos === undefined ? {} : { bos_token: bos }),
      ...(pad === undefined ? {} : { pad_token: pad }),
      additional_special_tokens: tokens.filter((token) => !roleTokens.has(token)),
    },
  };
}

/** Parses options with zod, turning the first issue into an Error naming `functionName` and the field. */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  value: unknown,
  functionName: string,
): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new TrlError(
    'invalid-value',
    `${functionName}: option ${issue?.path.join('.') || '(options)'} is invalid: ${issue?.message}.`,
  );
}
