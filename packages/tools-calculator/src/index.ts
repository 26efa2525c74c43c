/**
 * @trl/tools-calculator: a safe arithmetic tool (no eval) implementing @trl/spec's `Tool` interface.
 */
export { Calculator } from './calculator';
export { CalculatorError } from './calculator-error';
export type { CalculatorOptions, ResolvedCalculatorOptions } from './calculator-options';
export { DEFAULT_CALCULATOR_OPTIONS, resolveCalculatorOptions } from './calculator-options';
export { evaluate, MAX_NESTING_DEPTH } from './evaluate';
export type { NumberStyle } from './format-number';
export { formatNumber, roundHalfEven } from './format-number';
export type { Operator, Token } from './tokenize';
export { tokenize } from './tokenize';
