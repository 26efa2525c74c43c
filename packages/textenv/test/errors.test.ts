import { TrlError } from '@trl/spec';
import { describe, expect, it } from 'vitest';
import { TextHistory } from '../src/index';

describe('textenv input errors', () => {
  it('are TrlErrors with a code, keeping their message', () => {
    const history = new TextHistory('Q', [1]);
    let thrown: unknown;
    try {
      history.appendSegment('x', [1.5], true);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TrlError);
    expect(thrown).toMatchObject({
      code: 'invalid-argument',
      message: 'TextHistory.appendSegment: token id 1.5 is not a non-negative integer.',
    });
  });
});
