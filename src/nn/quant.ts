/**
 * Quantization arithmetic shared by the reference evaluator and (later) the compiler.
 *
 * Two requantization forms:
 *
 * - **float32** (onnxruntime, the default): the multiplier is the float32 expression
 *   `x_scale * w_scale / y_scale` evaluated left to right in float32; each int32 accumulator is
 *   converted to float32, multiplied by it in float32, rounded half to even, offset by the output
 *   zero point and saturated. This is bit-exact with onnxruntime's MLAS `MlasRequantizeOutput`.
 * - **fixed-point** (TFLite / gemmlowp, what integer hardware does): the multiplier, computed in
 *   double, is split into a Q31 mantissa and a power-of-two shift; the accumulator is multiplied
 *   with `SaturatingRoundingDoublingHighMul` (ties round up, toward +infinity) and shifted right
 *   with `RoundingDivideByPOT` (ties away from zero).
 *
 * Where they differ: (1) exact ties (acc * M = k + 0.5) go to even in float32, and up or away
 * from zero in fixed point (depending on whether the tie falls in the multiply or the shift); (2) float32 keeps 24 bits of the multiplier and of the product, fixed point 31
 * bits of the multiplier and the exact product, so products within about 2^-24 relative of a
 * .5 boundary can round differently; (3) |acc| > 2^24 loses bits in the float32 conversion.
 * Measured on ResNet-8 (20 CIFAR images, each QLinearConv fed onnxruntime-exact inputs): 0.11 % of
 * the int8 outputs differ, all by 1 LSB. Run end to end in fixed point, the differences compound
 * (up to 9 LSB on the logits) and top-1 agrees with the float32 form on 96 of 100 images.
 */

/** Rounds half to even (the IEEE default, numpy's `round`, C's `nearbyint`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rounding modes of QONNX `Quant` (`rounding_mode`). */
export type QonnxRounding = 'ROUND' | 'ROUND_TO_ZERO' | 'CEIL' | 'FLOOR';

/** Applies a QONNX rounding mode. */
export function roundBy(mode: QonnxRounding, x: number): number {
  switch (mode) {
    case 'ROUND': return roundHalfEven(x);
    case 'ROUND_TO_ZERO': return Math.trunc(x);
    case 'CEIL': return Math.ceil(x);
    case 'FLOOR': return Math.floor(x);
  }
}

/** Integer range of a QONNX `Quant` at `bits` (1-32), as qonnx's `min_int` / `max_int`. */
export function qonnxIntRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) {
    const hi = 2 ** (bits - 1) - 1;
    return [narrow ? -hi : -(2 ** (bits - 1)), hi];
  }
  return [0, narrow ? 2 ** bits - 2 : 2 ** bits - 1];
}

const f32 = Math.fround;

/** The float32 requantization multiplier as onnxruntime computes it: `(xs * ws) / ys` in float32. */
export const float32Multiplier = (xScale: number, wScale: number, yScale: number): number => f32(f32(f32(xScale) * f32(wScale)) / f32(yScale));

/** Requantizes one accumulator the onnxruntime way (float32 multiply, half-even, saturate). */
export function requantFloat32(acc: number, multiplier: number, zeroPoint: number, lo: number, hi: number): number {
  const v = roundHalfEven(f32(f32(acc) * multiplier)) + zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}

/** A gemmlowp quantized multiplier: `real = mantissa * 2^(shift - 31)`, mantissa in [2^30, 2^31). */
export interface FixedPointMultiplier {
  readonly mantissa: number;
  readonly shift: number;
}

/** TFLite's `QuantizeMultiplier` of a real multiplier (computed in double). */
export function quantizeMultiplier(real: number): FixedPointMultiplier {
  if (real === 0) return { mantissa: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  let q = real / 2 ** shift;
  // Correct log2 rounding at the edges so q is in [0.5, 1).
  while (q >= 1) { q /= 2; shift++; }
  while (q < 0.5) { q *= 2; shift--; }
  let mantissa = Math.round(q * 2 ** 31);
  if (mantissa === 2 ** 31) {
    mantissa /= 2;
    shift++;
  }
  return { mantissa, shift };
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * gemmlowp `SaturatingRoundingDoublingHighMul`: `(a * b + nudge) / 2^31` truncated toward zero,
 * exact for int32 operands. The 62-bit product is split so every step is an exact double.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  const x = a * bh; // |x| < 2^47, exact
  const xq = Math.floor(x / 32768);
  const xr = x - xq * 32768; // a*b = xq * 2^31 + (xr * 2^16 + a * bl)
  const neg = (a < 0) !== (b < 0) && a !== 0 && b !== 0;
  const t = xr * 65536 + a * bl + (neg ? 1 - 2 ** 30 : 2 ** 30); // exact, |t| < 2^49
  const fq = Math.floor(t / 2 ** 31);
  const rem = t - fq * 2 ** 31;
  const q = xq + fq; // floor((a*b + nudge) / 2^31)
  return q < 0 && rem !== 0 ? q + 1 : q;
}

/** The same with BigInt, as a cross-check in tests. */
export function saturatingRoundingDoublingHighMulBig(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C++
}

/** gemmlowp `RoundingDivideByPOT`: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPot(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const remainder = x - Math.floor(x / 2 ** exponent) * 2 ** exponent; // x & mask for two's complement
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's `MultiplyByQuantizedMultiplier`. */
export function multiplyByQuantizedMultiplier(x: number, m: FixedPointMultiplier): number {
  const left = m.shift > 0 ? m.shift : 0;
  const right = m.shift > 0 ? 0 : -m.shift;
  return roundingDivideByPot(saturatingRoundingDoublingHighMul(x * 2 ** left, m.mantissa), right);
}

/** Requantizes one accumulator the TFLite way (fixed-point multiplier, saturate). */
export function requantFixedPoint(acc: number, m: FixedPointMultiplier, zeroPoint: number, lo: number, hi: number): number {
  const v = multiplyByQuantizedMultiplier(acc, m) + zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}
