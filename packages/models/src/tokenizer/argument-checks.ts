import { type PaddingSide, TrlError } from '@trl/core';

/** Returns `side` when it is `left` or `right`; otherwise throws naming `name`. */
export function assertPaddingSide(side: PaddingSide, name: string): PaddingSide {
  if (side !== 'left' && side !== 'right') {
    throw new TrlError('invalid-argument', `${name} must be "left" or "right", got ${describeValue(side)}.`);
  }
  return side;
}

/** Throws naming `name` unless `tokens` is an array of non-empty strings. */
export function assertTokenStrings(tokens: readonly string[], name: string): void {
  if (!Array.isArray(tokens))
    throw new TrlError(
      'invalid-argument',
      `${name} must be an array of strings, got ${describeValue(tokens)}.`,
    );
  for (const token of tokens) {
    if (typeof token !== 'string' || token === '') {
      throw new TrlError(
        'invalid-argument',
        `${name} must contain non-empty strings, got ${describeValue(token)}.`,
      );
    }
  }
}

/** A short description of a bad argument for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
