import { assertKnownKeys, invalidOption } from '@trl/spec';
import type { NumberStyle } from './format-number';

/** Settings of the {@link Calculator} tool. Every field is optional. */
export interface CalculatorOptions {
  /**
   * Decimal places results are rounded to, half-to-even like Python's `round`. TRL's calculator
   * example rounds to 2. An integer from 0 to 15.
   */
  decimals?: number;
  /** How results are written; see {@link NumberStyle}. Default `python` (`12.0`), as in TRL. */
  numberStyle?: NumberStyle;
  /** Longest expression accepted, in UTF-16 code units. Default 1000. */
  maxInputLength?: number;
}

/** {@link CalculatorOptions} with every default filled in. */
export interface ResolvedCalculatorOptions {
  /** See {@link CalculatorOptions.decimals}. */
  readonly decimals: number;
  /** See {@link CalculatorOptions.numberStyle}. */
  readonly numberStyle: NumberStyle;
  /** See {@link CalculatorOptions.maxInputLength}. */
  readonly maxInputLength: number;
}

/** The defaults, matching TRL's calculator example. */
export const DEFAULT_CALCULATOR_OPTIONS: ResolvedCalculatorOptions = {
  decimals: 2,
  numberStyle: 'python',
  maxInputLength: 1000,
};

const OWNER = 'Calculator';

/**
 * Fills in defaults and rejects invalid settings and unknown keys with a TrlConfigError naming the
 * field and the fix. (Checked by hand: this package has no runtime dependency besides `@trl/spec`.)
 */
export function resolveCalculatorOptions(options: CalculatorOptions = {}): ResolvedCalculatorOptions {
  assertKnownKeys(OWNER, options, Object.keys(DEFAULT_CALCULATOR_OPTIONS));
  const resolved = { ...DEFAULT_CALCULATOR_OPTIONS, ...stripUndefined(options) };
  const { decimals, numberStyle, maxInputLength } = resolved;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15) {
    throw invalidOption(OWNER, 'decimals', `must be an integer from 0 to 15, got ${String(decimals)}`);
  }
  if (numberStyle !== 'python' && numberStyle !== 'plain') {
    throw invalidOption(OWNER, 'numberStyle', `must be 'python' or 'plain', got ${String(numberStyle)}`);
  }
  if (!Number.isInteger(maxInputLength) || maxInputLength < 1) {
    throw invalidOption(OWNER, 'maxInputLength', `must be a positive integer, got ${String(maxInputLength)}`);
  }
  return resolved;
}

function stripUndefined(options: CalculatorOptions): CalculatorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
