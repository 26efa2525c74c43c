import { describe, expect, it } from 'vitest';
import { CalculatorError, evaluate, tokenize } from '../src/index';

describe('evaluate', () => {
  it('applies precedence and left associativity', () => {
    expect(evaluate('2+3*4')).toBe(14);
    expect(evaluate('2*3+4')).toBe(10);
    expect(evaluate('8-2-1')).toBe(5); // (8-2)-1, not 8-(2-1) = 7
    expect(evaluate('64/4/2')).toBe(8); // (64/4)/2, not 64/(4/2) = 32
    expect(evaluate('2-3+4')).toBe(3);
    expect(evaluate('12/4*3')).toBe(9); // (12/4)*3, not 12/(4*3) = 1
  });

  it('handles unary signs at any depth', () => {
    expect(evaluate('-3')).toBe(-3);
    expect(evaluate('+3')).toBe(3);
    expect(evaluate('--3')).toBe(3);
    expect(evaluate('-+-3')).toBe(3);
    expect(evaluate('2*-3')).toBe(-6);
    expect(evaluate('-(2+3)*2')).toBe(-10);
    expect(evaluate('2--3')).toBe(5);
  });

  it('reads decimal literals in every spelling', () => {
    expect(evaluate('.5+.25')).toBe(0.75);
    expect(evaluate('3.')).toBe(3);
    expect(evaluate('1.5e3')).toBe(1500);
    expect(evaluate('2E-2')).toBe(0.02);
    expect(evaluate('007')).toBe(7);
  });

  it('nests parentheses', () => {
    expect(evaluate('((1+2)*(3+4))/7')).toBe(3);
    expect(evaluate('(((((5)))))')).toBe(5);
  });

  it('throws CalculatorError, never a generic crash', () => {
    expect(() => evaluate('1/0')).toThrow(CalculatorError);
    expect(() => evaluate('0/0')).toThrow('division by zero');
    expect(() => evaluate('Math.PI')).toThrow(CalculatorError);
  });
});

describe('tokenize', () => {
  it('maps aliases to ASCII operators and records positions', () => {
    expect(tokenize('3 × (−2)')).toEqual([
      { kind: 'number', value: 3, position: 0 },
      { kind: 'operator', symbol: '*', position: 2 },
      { kind: 'operator', symbol: '(', position: 4 },
      { kind: 'operator', symbol: '-', position: 5 },
      { kind: 'number', value: 2, position: 6 },
      { kind: 'operator', symbol: ')', position: 7 },
    ]);
  });

  it('never throws anything but CalculatorError on arbitrary text', () => {
    const alphabet = [
      '1',
      '2',
      '.',
      'e',
      '+',
      '-',
      '*',
      '/',
      '(',
      ')',
      ' ',
      'x',
      '÷',
      '\ud83d',
      'a',
      '"',
      '0',
    ];
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let trial = 0; trial < 2000; trial += 1) {
      const length = next() % 12;
      let text = '';
      for (let i = 0; i < length; i += 1) text += alphabet[next() % alphabet.length];
      try {
        const value = evaluate(text);
        expect(Number.isFinite(value)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(CalculatorError);
      }
    }
  });
});
