import { TrlError } from '@trl/core';
import { expect, it } from 'vitest';
import { preparePairs } from '../src/index';

const options = { maxLength: 8, vocabSize: 10, split: 'train' };

it.each([
  {
    what: 'an empty split',
    rows: [],
    code: 'invalid-dataset',
    message: 'RewardTrainer: the train dataset is empty; give it at least one pair.',
  },
  {
    what: 'a token id outside the vocabulary',
    rows: [{ chosen: [1, 12], rejected: [2] }],
    code: 'invalid-dataset',
    message: 'RewardTrainer: row 0.chosen must be a non-empty array of token ids in [0, 10).',
  },
  {
    what: 'text without a tokenizer',
    rows: [{ chosen: 'good', rejected: [2] }],
    code: 'invalid-argument',
    message: 'RewardTrainer: row 0.chosen is text but no tokenizer was given; pass one or give token ids.',
  },
])('reward input errors are TrlErrors with a code: $what', ({ rows, code, message }) => {
  const prepare = () => preparePairs(rows, options);
  expect(prepare).toThrow(TrlError);
  expect(prepare).toThrow(expect.objectContaining({ name: 'TrlError', code, message }));
});
