import { describe, expect, it } from 'vitest';
import { formatNumber, roundHalfEven } from '../src/index';

describe('roundHalfEven (Python round on floats)', () => {
  it('rounds the exact binary value, not the decimal literal', () => {
    // 2.675 is stored as 2.67499999999999982236431605997495353221893310546875.
    expect(roundHalfEven(2.675, 2)).toBe(2.67);
    // 1.005 is stored just below 1.005; 0.005 just above 0.005.
    expect(roundHalfEven(1.005, 2)).toBe(1);
    expect(roundHalfEven(0.005, 2)).toBe(0.01);
    expect(roundHalfEven(0.015, 2)).toBe(0.01);
  });

  it('sends exact ties to the even neighbour', () => {
    // k/8 are exact in binary, so these are true ties at two decimals.
    expect(roundHalfEven(0.125, 2)).toBe(0.12);
    expect(roundHalfEven(0.375, 2)).toBe(0.38);
    expect(roundHalfEven(0.625, 2)).toBe(0.62);
    expect(roundHalfEven(-0.125, 2)).toBe(-0.12);
    expect(roundHalfEven(2.5, 0)).toBe(2);
    expect(roundHalfEven(3.5, 0)).toBe(4);
    expect(roundHalfEven(-2.5, 0)).toBe(-2);
  });

  it('leaves huge and already-short values alone', () => {
    expect(roundHalfEven(2 ** 60, 2)).toBe(2 ** 60);
    expect(roundHalfEven(1.5, 2)).toBe(1.5);
    expect(roundHalfEven(1 / 3, 4)).toBe(0.3333);
  });
});

describe('formatNumber', () => {
  it('python style matches repr(float)', () => {
    expect(formatNumber(10, 'python')).toBe('10.0');
    expect(formatNumber(-5, 'python')).toBe('-5.0');
    expect(formatNumber(0.5, 'python')).toBe('0.5');
    expect(formatNumber(0.0001, 'python')).toBe('0.0001');
    expect(formatNumber(0.00001, 'python')).toBe('1e-05');
    expect(formatNumber(1.5e-7, 'python')).toBe('1.5e-07');
    expect(formatNumber(1e15, 'python')).toBe('1000000000000000.0');
    expect(formatNumber(1e16, 'python')).toBe('1e+16');
    expect(formatNumber(12345678901234568, 'python')).toBe('1.2345678901234568e+16');
    expect(formatNumber(-1.5e300, 'python')).toBe('-1.5e+300');
    expect(formatNumber(123.456, 'python')).toBe('123.456');
    expect(formatNumber(-0, 'python')).toBe('0.0');
  });

  it('plain style is the shortest JavaScript spelling', () => {
    expect(formatNumber(10, 'plain')).toBe('10');
    expect(formatNumber(2.5, 'plain')).toBe('2.5');
    expect(formatNumber(-0, 'plain')).toBe('0');
  });
});
