import { CalculatorError } from './calculator-error';
import { type Operator, type Token, tokenize } from './tokenize';

/**
 * Nesting limit for parentheses and chained signs. Far above anything a word problem needs, and
 * low enough that a hostile `((((…` can never exhaust the call stack.
 */
export const MAX_NESTING_DEPTH = 200;

/**
 * Evaluates an arithmetic expression with `+ - * /`, parentheses and unary signs, using the usual
 * precedence (`*` and `/` bind tighter) and left associativity (`8 - 2 - 1` is `5`). Arithmetic is
 * IEEE double precision, like Python floats. Throws a {@link CalculatorError} on bad syntax,
 * division by zero or a non-finite result; never runs any code from the input.
 */
export function evaluate(expression: string): number {
  const parser = new Parser(tokenize(expression));
  if (parser.atEnd()) {
    throw new CalculatorError('empty expression; write something like 12 * (3 + 4)');
  }
  const value = parser.expression(0);
  parser.expectEnd();
  return value;
}

// Recursive descent, one method per precedence level:
//   expression := term (('+' | '-') term)*
//   term       := unary (('*' | '/') unary)*
//   unary      := ('+' | '-') unary | primary
//   primary    := number | '(' expression ')'
class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  expectEnd(): void {
    const token = this.tokens[this.index];
    if (token === undefined) return;
    if (token.kind === 'operator' && token.symbol === ')') {
      throw new CalculatorError(`unmatched ')' at position ${token.position + 1}`);
    }
    throw new CalculatorError(`expected an operator at position ${token.position + 1}`);
  }

  expression(depth: number): number {
    let value = this.term(depth);
    for (let op = this.peekOperator('+', '-'); op !== undefined; op = this.peekOperator('+', '-')) {
      this.index += 1;
      const right = this.term(depth);
      value = checkFinite(op === '+' ? value + right : value - right);
    }
    return value;
  }

  private term(depth: number): number {
    let value = this.unary(depth);
    for (let op = this.peekOperator('*', '/'); op !== undefined; op = this.peekOperator('*', '/')) {
      this.index += 1;
      const right = this.unary(depth);
      if (op === '/' && right === 0) throw new CalculatorError('division by zero');
      value = checkFinite(op === '*' ? value * right : value / right);
    }
    return value;
  }

  private unary(depth: number): number {
    const sign = this.peekOperator('+', '-');
    if (sign === undefined) return this.primary(depth);
    this.index += 1;
    const operand = this.unary(enter(depth));
    return sign === '-' ? -operand : operand;
  }

  private primary(depth: number): number {
    const token = this.tokens[this.index];
    if (token === undefined) {
      throw new CalculatorError('expression ends too early; a number or ( is missing at the end');
    }
    this.index += 1;
    if (token.kind === 'number') return checkFinite(token.value, 'number');
    if (token.symbol === '(') {
      const value = this.expression(enter(depth));
      const closing = this.tokens[this.index];
      if (closing === undefined || closing.kind !== 'operator' || closing.symbol !== ')') {
        throw new CalculatorError(`unmatched '(' at position ${token.position + 1}`);
      }
      this.index += 1;
      return value;
    }
    throw new CalculatorError(`expected a number at position ${token.position + 1}, found '${token.symbol}'`);
  }

  private peekOperator<T extends Operator>(...symbols: T[]): T | undefined {
    const token = this.tokens[this.index];
    if (token?.kind !== 'operator') return undefined;
    return (symbols as Operator[]).includes(token.symbol) ? (token.symbol as T) : undefined;
  }
}

function enter(depth: number): number {
  if (depth + 1 > MAX_NESTING_DEPTH) {
    throw new CalculatorError(`expression is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  }
  return depth + 1;
}

function checkFinite(value: number, what: 'number' | 'result' = 'result'): number {
  if (!Number.isFinite(value)) throw new CalculatorError(`${what} is too large`);
  return value;
}
