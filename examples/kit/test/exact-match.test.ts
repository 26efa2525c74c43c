import { describe, expect, it } from 'vitest';
import { exactMatchReward, parseSubmittedResult } from '../src/transcript';

// The cases the calculator (answers like 10, -10) and python-math (91, -4) examples rely on:
// per answer, the final segments that earn the reward and those that do not.
const CASES: readonly [answer: number, paid: readonly string[], unpaid: readonly string[]][] = [
  [
    10,
    ['Result=10<submit>', 'Result = 10.0 <submit>'],
    ['Result=11<submit>', 'Result=-10<submit>', 'Result=10', '10<submit>', 'Result=100<submit>'],
  ],
  [-10, ['Result=-10<submit>'], []],
  [
    91,
    ['Result=91<submit>', 'Result = 91.0 <submit>'],
    ['Result=92<submit>', 'Result=91', '91<submit>', 'Result=910<submit>'],
  ],
  [-4, ['Result=-4<submit>'], []],
];

describe('reward (TRL exact match on Result=N<submit>)', () => {
  it.each(CASES)('pays only the right number followed by <submit> (answer %d)', (answer, paid, unpaid) => {
    for (const text of paid) expect(exactMatchReward(text, answer), text).toBe(1);
    for (const text of unpaid) expect(exactMatchReward(text, answer), text).toBe(0);
  });

  it('reads the first submitted result, as TRL', () => {
    expect(parseSubmittedResult('Result=3<submit>Result=4<submit>')).toBe(3);
    expect(parseSubmittedResult('nothing here')).toBeNull();
    expect(parseSubmittedResult('no answer')).toBeNull();
  });
});
