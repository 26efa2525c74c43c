import { describe, expect, it } from 'vitest';
import { percent, signedPoints } from '../src/main';

describe('report formatting', () => {
  it('prints rates with one decimal and a percent sign', () => {
    expect(percent(0.125)).toBe('12.5%');
    expect(percent(0)).toBe('0.0%');
    expect(percent(1)).toBe('100.0%');
  });
  it('signs point changes, zero as a gain', () => {
    expect(signedPoints(3)).toBe('+3');
    expect(signedPoints(0)).toBe('+0');
    expect(signedPoints(-2.5)).toBe('-2.5');
  });
});
