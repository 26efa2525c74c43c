/**
 * The error classes every trl-ts package throws for bad input. Each carries a stable `code` so
 * callers can branch on the kind of problem without parsing messages.
 */

/** Why a config or options object was rejected. */
export type TrlConfigErrorCode =
  /** A key the config does not have (a typo, or a field trl-ts leaves out). */
  | 'unknown-option'
  /** TRL's Python spelling of a field trl-ts spells in camelCase (`mini_batch_size`). */
  | 'snake-case-option'
  /** A known field with a value of the wrong type or out of range. */
  | 'invalid-value';

/** One problem with one field of a config. */
export interface ConfigIssue {
  /** What kind of problem. */
  readonly code: TrlConfigErrorCode;
  /** Dotted path of the field as the caller wrote it (`generation.maxNewTokens`); `(options)` for the whole object. */
  readonly field: string;
  /** What is wrong and how to fix it, without the field name. */
  readonly message: string;
  /** The key the caller probably meant, for unknown and snake_case keys. */
  readonly suggestion?: string;
}

/** Base class of trl-ts's input errors: an Error with a machine-readable `code`. */
export class TrlError extends Error {
  /** Stable identifier of the kind of error. */
  readonly code: string;

  /** `code` is stable across releases; `message` is for people. */
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TrlError';
    this.code = code;
  }
}

/**
 * A config or options object was rejected. `code` and `field` describe the first problem;
 * `issues` lists all of them, since fixing one field at a time is slow.
 */
export class TrlConfigError extends TrlError {
  declare readonly code: TrlConfigErrorCode;
  /** The field of the first problem. */
  readonly field: string;
  /** Who rejected the config, e.g. `PPOConfig`. */
  readonly owner: string;
  /** Every problem found, in order. */
  readonly issues: readonly ConfigIssue[];

  /** `issues` must not be empty. */
  constructor(owner: string, issues: readonly ConfigIssue[], what = 'options') {
    const first = issues[0];
    if (!first) throw new RangeError('TrlConfigError needs at least one issue');
    super(first.code, formatConfigIssues(owner, issues, what));
    this.name = 'TrlConfigError';
    this.field = first.field;
    this.owner = owner;
    this.issues = issues;
  }
}

/**
 * `Owner: invalid options: field: message` for one problem; a header and one indented line per
 * problem for several, so each stays readable.
 */
export function formatConfigIssues(owner: string, issues: readonly ConfigIssue[], what = 'options'): string {
  const lines = issues.map((issue) => `${issue.field}: ${issue.message}`);
  if (lines.length === 1) return `${owner}: invalid ${what}: ${lines[0]}`;
  return `${owner}: invalid ${what} (${lines.length} problems):\n${lines.map((line) => `  ${line}`).join('\n')}`;
}
