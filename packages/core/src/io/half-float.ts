/**
 * Conversions between float32 and the two 16-bit float formats checkpoints use: IEEE binary16 (F16)
 * and bfloat16 (BF16). Encoding rounds to nearest, ties to even, as PyTorch's `.half()`/`.bfloat16()` do.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

let float16Table: Float32Array | undefined;

/** All 65,536 binary16 values as float32, built once on first use. */
function float16ToFloat32Table(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65_536);
  for (let bits = 0; bits < 65_536; bits++) {
    const negative = (bits & 0x8000) !== 0;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    let magnitude: number;
    if (exponent === 0) magnitude = mantissa * 2 ** -24;
    else if (exponent === 0x1f) magnitude = mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else magnitude = (1 + mantissa / 1024) * 2 ** (exponent - 15);
    table[bits] = negative ? -magnitude : magnitude;
  }
  float16Table = table;
  return table;
}

/** The binary16 bit pattern nearest to `value` (ties to even; overflow gives ±Infinity). */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Keep NaNs NaN (and quiet) even when the payload's high bits are zero.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Below 2^-25 everything rounds to zero; above it the result is a subnormal (or the smallest normal).
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let halfMantissa = full >>> shift;
    const remainder = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (halfMantissa & 1) === 1)) halfMantissa++;
    return sign | halfMantissa;
  }
  let half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return half;
}

/** The bfloat16 bit pattern nearest to `value` (ties to even; NaN stays a quiet NaN). */
export function float32ToBfloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0] as number;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return Math.floor(rounded / 65_536) & 0xffff;
}

/** Decodes binary16 bit patterns to float32. */
export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  const table = float16ToFloat32Table();
  const result = new Float32Array(bits.length);
  for (let index = 0; index < bits.length; index++) result[index] = table[bits[index] as number] as number;
  return result;
}

/** Decodes bfloat16 bit patterns to float32 (exact: bfloat16 is the top half of a float32). */
export function bfloat16BitsToFloat32(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let index = 0; index < bits.length; index++) wide[index] = (bits[index] as number) << 16;
  return new Float32Array(wide.buffer);
}

/** Encodes float32 values as binary16 bit patterns (round to nearest even). */
export function float32ArrayToFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const result = new Uint16Array(values.length);
  for (let index = 0; index < values.length; index++)
    result[index] = float32ToFloat16Bits(values[index] as number);
  return result;
}

/** Encodes float32 values as bfloat16 bit patterns (round to nearest even). */
export function float32ArrayToBfloat16Bits(values: ArrayLike<number>): Uint16Array {
  const result = new Uint16Array(values.length);
  for (let index = 0; index < values.length; index++)
    result[index] = float32ToBfloat16Bits(values[index] as number);
  return result;
}
