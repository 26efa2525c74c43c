/**
 * How results are written:
 * - `python`: like Python's `str(float)` — always a decimal point (`12.0`, `2.5`) and scientific
 *   notation from 1e16 up (`1e+16`). TRL's calculator example shows the tool this way
 *   (`13-3<call>10.0<response>`), so prompts written for TRL keep working.
 * - `plain`: the shortest JavaScript spelling — `12`, `2.5`, `10000000000000000`.
 */
export type NumberStyle = 'python' | 'plain';

/**
 * Rounds like Python's `round(value, decimals)` on a float: to the nearest multiple of
 * 10^-decimals, judged on the exact binary value (so `round(2.675, 2)` is `2.67`, because 2.675 is
 * stored slightly below it), with exact ties going to the even neighbour (`round(0.125, 2)` is
 * `0.12`).
 */
export function roundHalfEven(value: number, decimals: number): number {
  // Doubles this large are integers already, and toFixed would switch to exponent notation.
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 52) return value;
  // An exact tie means value * 10^d = k + 1/2, i.e. value = odd / 2^(d+1) once the factors of 5
  // cancel; multiplying by a power of two is exact, so this test is too.
  const halves = value * 2 ** (decimals + 1);
  const isTie = Number.isInteger(halves) && Math.abs(halves % 2) === 1;
  if (isTie) {
    // In a tie, value * 10^d = k + 0.5 is exactly representable, so floor() is exact as well.
    const below = Math.floor(value * 10 ** decimals);
    const even = below % 2 === 0 ? below : below + 1;
    return even / 10 ** decimals;
  }
  // toFixed rounds the exact binary value to the nearest decimal; only ties (handled above)
  // would differ from Python.
  return Number(value.toFixed(decimals));
}

/** Writes a finite number in the given style; negative zero is written as zero. */
export function formatNumber(value: number, style: NumberStyle): string {
  if (Object.is(value, -0)) value = 0;
  if (style === 'plain') return String(value);
  return pythonFloatRepr(value);
}

// Python's repr(float): the shortest digits that round-trip (JavaScript finds the same digits),
// laid out in fixed notation for exponents -4..15 and scientific notation otherwise.
function pythonFloatRepr(value: number): string {
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fractionPart = digits.slice(exponent + 1) || '0';
  return `${sign}${integerPart}.${fractionPart}`;
}
