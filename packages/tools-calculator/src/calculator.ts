import type { Tool, ToolCallOptions } from '@trl/spec';
import { CalculatorError } from './calculator-error';
import {
  type CalculatorOptions,
  type ResolvedCalculatorOptions,
  resolveCalculatorOptions,
} from './calculator-options';
import { evaluate } from './evaluate';
import { formatNumber, roundHalfEven } from './format-number';

/**
 * The `Calculator` tool: evaluates `+ - * /` arithmetic with parentheses and answers with the
 * number as text (`"13-3"` → `"10.0"`, like TRL's calculator example). Problems with the
 * expression come back as `Error: …` text rather than exceptions, so the model sees what it did
 * wrong and the episode goes on. No `eval`: the input is parsed by a small recursive-descent parser.
 */
export class Calculator implements Tool {
  /** Spec version this tool implements. */
  readonly specificationVersion = 'v1' as const;
  /** The name the model writes in `<request><Calculator>…<call>`. */
  readonly name = 'Calculator';
  /** Shown to the model and in docs. */
  readonly description =
    'Evaluates an arithmetic expression with + - * / and parentheses, e.g. "12 * (3 + 4)", and returns the result.';
  /** The settings in effect, defaults filled in. */
  readonly options: ResolvedCalculatorOptions;

  /** Throws an Error naming the field if an option is invalid. */
  constructor(options: CalculatorOptions = {}) {
    this.options = resolveCalculatorOptions(options);
  }

  /** Evaluates `input`; returns the result, or `Error: <reason>` for a bad expression. */
  call(input: string, _options?: ToolCallOptions): string {
    if (typeof input !== 'string') return 'Error: the expression must be text';
    if (input.length > this.options.maxInputLength) {
      return `Error: expression is longer than ${this.options.maxInputLength} characters`;
    }
    try {
      const value = roundHalfEven(evaluate(input), this.options.decimals);
      return formatNumber(value, this.options.numberStyle);
    } catch (error) {
      if (error instanceof CalculatorError) return `Error: ${error.message}`;
      throw error;
    }
  }

  /** Nothing to release; present so callers can close every tool alike. */
  close(): void {}
}
