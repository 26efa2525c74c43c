import { TrlConfigError } from '@trl/spec';
import { describe, expect, it } from 'vitest';
import { Calculator } from '../src/index';

const signal = new AbortController().signal;
const calculator = new Calculator();
const run = (expression: string) => calculator.call(expression, { signal });

/** `expression` is answered with `expected`: the whole answer for a string, a pattern for a RegExp. */
function expectAnswer(expression: string, expected: string | RegExp): void {
  if (typeof expected === 'string') expect(run(expression)).toBe(expected);
  else expect(run(expression)).toMatch(expected);
}

describe('Calculator tool', () => {
  it('implements the Tool spec with the name the model writes', () => {
    expect(calculator.name).toBe('Calculator');
    expect(calculator.specificationVersion).toBe('v1');
    expect(calculator.description.length).toBeGreaterThan(20);
  });

  // Expected strings are Python's str(round(float(eval(e)), 2)), the output of TRL's calculator
  // example (its prompt shows "13-3<call>10.0").
  it.each([
    ['13-3', '10.0'],
    ['4*3', '12.0'],
    ['1/2', '0.5'],
    ['10/4', '2.5'],
    ['1/3', '0.33'],
    ['2/3', '0.67'],
    ['100/7', '14.29'],
    ['0.1+0.2', '0.3'],
    ['7/2/2', '1.75'],
    ['8-2-1', '5.0'],
    ['2+3*4', '14.0'],
    ['(2+3)*4', '20.0'],
    ['-3*-2', '6.0'],
    ['-2.5*2', '-5.0'],
    ['1e16', '1e+16'],
    ['1.5e16', '1.5e+16'],
    ['1e15+0.5', '1000000000000000.5'],
    ['0.00001', '0.0'],
  ])('%s → %s', expectAnswer);

  it.each([
    ['  6 × 7 ', '42.0'],
    ['84 ÷ 2', '42.0'],
    ['50 − 8', '42.0'],
    ['6 x 7', '42.0'],
    ['6X7', '42.0'],
  ])('accepts whitespace and the typographic operators × ÷ − and x: %j → %s', expectAnswer);

  it('writes -0 as 0.0 rather than Python-style -0.0', () => {
    expect(run('-0.001')).toBe('0.0');
    expect(run('0*-1')).toBe('0.0');
  });

  it.each<[string, string | RegExp]>([
    ['1/0', 'Error: division by zero'],
    ['1/(2-2)', 'Error: division by zero'],
    ['', 'Error: empty expression; write something like 12 * (3 + 4)'],
    ['   ', 'Error: empty expression; write something like 12 * (3 + 4)'],
    ['2+', 'Error: expression ends too early; a number or ( is missing at the end'],
    ['(1+2', "Error: unmatched '(' at position 1"],
    ['1+2)', "Error: unmatched ')' at position 4"],
    ['2 3', 'Error: expected an operator at position 3'],
    ['2(3)', 'Error: expected an operator at position 2'],
    ['*3', "Error: expected a number at position 1, found '*'"],
    ['()', "Error: expected a number at position 2, found ')'"],
    ['2^3', "Error: unsupported character '^' at position 2; use numbers, + - * / and parentheses"],
    ['import os', /^Error: unsupported character 'i' at position 1/],
    ['1.2.3', 'Error: malformed number at position 1'],
    ['2e', 'Error: malformed number at position 1'],
    ['1e400', 'Error: number is too large'],
    ['1e308*10', 'Error: result is too large'],
    ['1e308+1e308', 'Error: result is too large'],
  ])('returns error text (never throws) for bad expressions: %j', expectAnswer);

  it.each<[string, RegExp]>([
    ['1+\u0000', /^Error: unsupported character U\+0000 at position 3/],
    ['1+\ud800', /^Error: unsupported character U\+D800 at position 3/],
    ['1+😀', /^Error: unsupported character '😀' at position 3/],
  ])('names odd characters by code point instead of echoing them: %j', expectAnswer);

  it('limits input length and nesting depth', () => {
    const tooLong = `1${'+1'.repeat(500)}`;
    expect(tooLong.length).toBe(1001);
    expect(run(tooLong)).toBe('Error: expression is longer than 1000 characters');
    expect(run(`1${'+1'.repeat(499)}`)).toBe('500.0');
    expect(run(`${'('.repeat(300)}1${')'.repeat(300)}`)).toBe(
      'Error: expression is nested more than 200 levels deep',
    );
    expect(run(`${'-'.repeat(300)}1`)).toBe('Error: expression is nested more than 200 levels deep');
    expect(run(`${'('.repeat(150)}2${')'.repeat(150)}`)).toBe('2.0');
    const big = new Calculator({ maxInputLength: 100_000 });
    expect(big.call(`${'('.repeat(20_000)}1${')'.repeat(20_000)}`, { signal })).toMatch(/nested more than/);
  });

  it('stays usable after errors', () => {
    expect(run('1/0')).toMatch(/^Error/);
    expect(run('((')).toMatch(/^Error/);
    expect(run('2*21')).toBe('42.0');
  });

  it('honours decimals and numberStyle', () => {
    const plain = new Calculator({ numberStyle: 'plain' });
    expect(plain.call('13-3', { signal })).toBe('10');
    expect(plain.call('1/3', { signal })).toBe('0.33');
    expect(plain.call('1e16', { signal })).toBe('10000000000000000');
    const precise = new Calculator({ decimals: 4 });
    expect(precise.call('1/3', { signal })).toBe('0.3333');
    const whole = new Calculator({ decimals: 0 });
    expect(whole.call('5/2', { signal })).toBe('2.0');
    expect(whole.call('7/2', { signal })).toBe('4.0');
  });

  it('rejects invalid options with an error naming the field', () => {
    expect(() => new Calculator({ decimals: -1 })).toThrow(
      'Calculator: invalid options: decimals: must be an integer from 0 to 15, got -1',
    );
    expect(() => new Calculator({ decimals: 1.5 })).toThrow(/invalid options: decimals:/);
    expect(() => new Calculator({ numberStyle: 'latex' as 'plain' })).toThrow(
      /invalid options: numberStyle:/,
    );
    expect(() => new Calculator({ maxInputLength: 0 })).toThrow(/invalid options: maxInputLength:/);
  });

  it('rejects unknown and snake_case options instead of ignoring them', () => {
    expect(() => new Calculator({ decimal: 2 } as never)).toThrow(
      'Calculator: invalid options: decimal: unknown option; did you mean decimals?',
    );
    expect(() => new Calculator({ max_input_length: 10 } as never)).toThrow(
      /max_input_length: unknown option: that is TRL's Python spelling; trl-ts spells it maxInputLength/,
    );
    try {
      new Calculator({ numberstyle: 'plain' } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrlConfigError);
      expect((error as TrlConfigError).field).toBe('numberstyle');
      expect((error as TrlConfigError).code).toBe('unknown-option');
    }
  });

  it('returns error text for a non-string input', () => {
    expect(calculator.call(42 as unknown as string, { signal })).toBe('Error: the expression must be text');
  });
});
