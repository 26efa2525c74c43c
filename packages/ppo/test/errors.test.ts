import { TrlError } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { LengthSampler } from '../src/index';

describe('PPO input errors', () => {
  it('are TrlErrors with a code, keeping their message', () => {
    let thrown: unknown;
    try {
      new LengthSampler(0, 5);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TrlError);
    expect(thrown).toMatchObject({
      code: 'invalid-argument',
      message: 'LengthSampler: `minValue` must be an integer >= 1, got 0.',
    });
  });
});
