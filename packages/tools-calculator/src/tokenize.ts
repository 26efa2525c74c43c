import { CalculatorError } from './calculator-error';

/** One lexical unit of an arithmetic expression. */
export type Token =
  | {
      /** A numeric literal. */
      readonly kind: 'number';
      /** Its value as a double. */
      readonly value: number;
      /** Offset of its first character in the input, for error messages. */
      readonly position: number;
    }
  | {
      /** An operator or parenthesis, already mapped to its ASCII spelling. */
      readonly kind: 'operator';
      /** `+`, `-`, `*`, `/`, `(` or `)`. */
      readonly symbol: Operator;
      /** Offset of the character in the input, for error messages. */
      readonly position: number;
    };

/** The ASCII operators the parser understands. */
export type Operator = '+' | '-' | '*' | '/' | '(' | ')';

// Models (and people) write multiplication and division in many ways; all of them map to the
// same four operators. `x`/`X` are accepted because "4 x 3" is common in word problems; there are
// no identifiers or hex literals that could make them ambiguous.
const OPERATOR_ALIASES: Readonly<Record<string, Operator>> = {
  '+': '+',
  '-': '-',
  '\u2212': '-', // − minus sign
  '\u2013': '-', // – en dash, a frequent typographic stand-in for minus
  '*': '*',
  '\u00d7': '*', // × multiplication sign
  '\u22c5': '*', // ⋅ dot operator
  '\u00b7': '*', // · middle dot
  x: '*',
  X: '*',
  '/': '/',
  '\u00f7': '/', // ÷ division sign
  '\u2215': '/', // ∕ division slash
  '(': '(',
  ')': ')',
};

// Digits with an optional fraction (`3`, `3.`, `3.25`, `.25`) and an optional decimal exponent,
// anchored at the scan position with the sticky flag.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

/**
 * Splits an expression into numbers and operators, ignoring whitespace.
 * Throws a {@link CalculatorError} naming the first character it cannot read.
 */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < expression.length) {
    const char = expression[position]!;
    if (/\s/.test(char)) {
      position += 1;
      continue;
    }
    NUMBER.lastIndex = position;
    const literal = NUMBER.exec(expression);
    if (literal !== null) {
      const text = literal[0];
      // "2e" or "2e+" would silently read as 2 followed by an alias-less `e`: reject it here with
      // a message about the number rather than about a stray letter.
      const next = expression[position + text.length];
      if (next === 'e' || next === 'E' || next === '.') {
        throw new CalculatorError(`malformed number at position ${position + 1}`);
      }
      tokens.push({ kind: 'number', value: Number(text), position });
      position += text.length;
      continue;
    }
    const symbol = OPERATOR_ALIASES[char];
    if (symbol === undefined) {
      throw new CalculatorError(
        `unsupported character ${describeCharacter(expression, position)} at position ${position + 1}; ` +
          'use numbers, + - * / and parentheses',
      );
    }
    tokens.push({ kind: 'operator', symbol, position });
    position += 1;
  }
  return tokens;
}

// Quoting a control character or half of a surrogate pair would put garbage in the message the
// model reads; those are shown as code points instead.
function describeCharacter(expression: string, position: number): string {
  const codePoint = expression.codePointAt(position)!;
  const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  const isControl = codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0);
  if (isSurrogate || isControl) {
    return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${String.fromCodePoint(codePoint)}'`;
}
