import { TrlError } from '@trl/core';
import { expect, it } from 'vitest';
import { LengthSampler } from '../src/index';

it('PPO input errors are TrlErrors with a code, keeping their message', () => {
  const badSampler = () => new LengthSampler(0, 5);
  expect(badSampler).toThrow(TrlError);
  expect(badSampler).toThrow(
    expect.objectContaining({
      code: 'invalid-argument',
      message: 'LengthSampler: `minValue` must be an integer >= 1, got 0.',
    }),
  );
});
