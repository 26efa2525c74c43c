import { TrlError } from '@trl/spec';
import { expect, it } from 'vitest';
import { TextHistory } from '../src/index';

it('textenv input errors are TrlErrors with a code, keeping their message', () => {
  const fractionalTokenId = () => new TextHistory('Q', [1]).appendSegment('x', [1.5], true);
  expect(fractionalTokenId).toThrow(TrlError);
  expect(fractionalTokenId).toThrow(
    expect.objectContaining({
      code: 'invalid-argument',
      message: 'TextHistory.appendSegment: token id 1.5 is not a non-negative integer.',
    }),
  );
});
