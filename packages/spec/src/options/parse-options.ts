import type { z } from 'zod';
import { type ConfigIssue, TrlConfigError } from './errors';
import { findUnknownKeys, type KeyHints, unknownKeysOf } from './unknown-keys';

/** How {@link parseOptions} words and checks its errors. */
export interface ParseOptionsSettings {
  /** The noun in the message: `invalid config` or (default) `invalid options`. */
  what?: string;
  /** Advice for keys the config deliberately lacks, by camelCase name. */
  hints?: KeyHints;
}

function zodIssues(error: z.ZodError, reported: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set(reported.map((issue) => issue.field));
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // Normally found (with a suggestion) by findUnknownKeys already; this covers keys inside unions.
      for (const key of issue.keys) {
        const field = [...path, key].join('.');
        if (!seen.has(field)) issues.push({ code: 'unknown-option', field, message: 'unknown option' });
      }
      continue;
    }
    issues.push({ code: 'invalid-value', field: path.join('.') || '(options)', message: issue.message });
  }
  return issues;
}

/**
 * Validates `input` against `schema` and fills in defaults. Unlike a bare zod parse it never drops a
 * key silently: keys the schema lacks are rejected with a did-you-mean (`learningRat` → did you
 * mean learningRate?), and TRL's snake_case names are rejected with the camelCase spelling, since
 * accepting both spellings would leave it unclear which one wins when both are given. Throws a
 * {@link TrlConfigError} listing every problem; `undefined` and `null` mean "all defaults".
 */
export function parseOptions<Schema extends z.ZodType>(
  owner: string,
  schema: Schema,
  input: unknown,
  settings: ParseOptionsSettings = {},
): z.output<Schema> {
  const value = input ?? {};
  const issues = findUnknownKeys(schema, value, settings.hints);
  const parsed = schema.safeParse(value);
  if (parsed.success && issues.length === 0) return parsed.data;
  if (!parsed.success) issues.push(...zodIssues(parsed.error, issues));
  throw new TrlConfigError(owner, issues, settings.what);
}

/**
 * Rejects keys of `input` outside `known`, for options validated by hand (packages that avoid a zod
 * dependency). Same messages and error class as {@link parseOptions}.
 */
export function assertKnownKeys(
  owner: string,
  input: unknown,
  known: readonly string[],
  settings: ParseOptionsSettings = {},
): void {
  const issues = unknownKeysOf(input, known, settings.hints);
  if (issues.length > 0) throw new TrlConfigError(owner, issues, settings.what);
}

/** A {@link TrlConfigError} for one bad value, for hand-written checks. */
export function invalidOption(
  owner: string,
  field: string,
  message: string,
  what = 'options',
): TrlConfigError {
  return new TrlConfigError(owner, [{ code: 'invalid-value', field, message }], what);
}
