/**
 * A problem with the expression itself (bad syntax, division by zero, overflow). The calculator
 * turns it into `Error: <message>` text for the model instead of letting it escape.
 */
export class CalculatorError extends Error {
  override readonly name = 'CalculatorError';
}
