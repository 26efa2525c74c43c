import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertKnownKeys,
  invalidOption,
  parseOptions,
  SPECIFICATION_VERSION,
  TrlConfigError,
  TrlError,
} from '../src/index';

// The full option-checking behaviour is tested in @trl/core (with its real configs); these cover
// what @trl/spec promises on its own, without core installed.
describe('@trl/spec runtime values', () => {
  it('defines spec version v1', () => {
    expect(SPECIFICATION_VERSION).toBe('v1');
  });

  it('parseOptions works with the caller’s zod and rejects typos with a suggestion', () => {
    const schema = z.object({ maxTurns: z.number().int().positive().default(4) });
    expect(parseOptions('Demo', schema, undefined)).toEqual({ maxTurns: 4 });
    let caught: unknown;
    try {
      parseOptions('Demo', schema, { maxTurn: 2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TrlConfigError);
    expect(caught).toBeInstanceOf(TrlError);
    expect((caught as TrlConfigError).issues[0]).toMatchObject({
      code: 'unknown-option',
      suggestion: 'maxTurns',
    });
  });

  it('hand-written checks throw the same error class', () => {
    expect(() => assertKnownKeys('Demo', { max_turns: 1 }, ['maxTurns'])).toThrow(
      'trl-ts spells it maxTurns',
    );
    expect(invalidOption('Demo', 'maxTurns', 'must be positive').message).toBe(
      'Demo: invalid options: maxTurns: must be positive',
    );
  });
});
