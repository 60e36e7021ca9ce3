/**
 * Affine (uniform) quantization of one real value: the formula every part of quantgpu uses, CPU and GPU.
 *
 *     q  = clamp(round(x * invScale) + z, qmin, qmax)        invScale = Math.fround(1 / s)
 *     x' = (q - z) * s
 *
 * The rounding rule, identical on CPU and GPU:
 * - `round` is round-half-to-even, which is what WGSL's `round()` does (`roundHalfEven` below on the CPU).
 * - x / s is computed as x * invScale, where invScale = Math.fround(1 / s) is computed once on the CPU as an f32
 *   and handed to the GPU. The product is rounded to f32 (Math.fround) before it is rounded to an integer. WGSL
 *   f32 multiplication is correctly rounded while division is only accurate to 2.5 ULP, so multiplying by the
 *   same f32 reciprocal is what makes the GPU quantize kernel agree with this code bit for bit.
 * - z is added after rounding, then the sum is clamped. (On the GPU, round(p) + f32(z) is exact for
 *   |round(p)| < 2^24, and anything larger clamps to the same end of the range.)
 * - Dequantization is one f32 multiply: Math.fround((q - z) * s); q - z is an exact integer.
 * - NaN inputs are not supported (the result is unspecified on the GPU; here it stores as 0).
 *
 * Worked example (a test checks it). Map the range [-2.5, 3.5] to int8 asymmetric: s = 6/255, z = -22.
 * The value 1.8: x * invScale = 76.5 (exactly, in real arithmetic and in f32), so
 *   round-half-to-even (ours, WGSL):      76 - 22 = 54
 *   round-half-away-from-zero (Math.round-like, C's round): 77 - 22 = 55
 * A widely read tutorial writes round((x - z) / s) instead; that gives round(23.8 * 42.5) = 1012, far outside int8.
 */

/** A closed interval of real values to be represented. */
export interface Range {
  min: number;
  max: number;
}

/** How real values are mapped to integers. */
export interface QScheme {
  /** 2 to 16 (the runtime uses 2, 4 and 8; 16 for high-precision layers). */
  bits: number;
  /** Symmetric: z = 0 and the scale comes from max(|min|, |max|). Asymmetric: [min, max] maps onto [qmin, qmax]. */
  symmetric: boolean;
  /** Two's-complement integers [-2^(b-1), 2^(b-1) - 1]; otherwise [0, 2^b - 1]. */
  signed: boolean;
  /**
   * Signed only: drop the most negative code, [-(2^(b-1) - 1), 2^(b-1) - 1] ([-127, 127] for int8, [-7, 7] for int4).
   * The restricted range is symmetric, so -x is representable whenever x is: negating a weight (or an activation
   * through a negative scale) never overflows, and int8 x int8 products stay within +-127^2.
   */
  narrow: boolean;
}

/** Scheme options; `resolveScheme` fills in the defaults. */
export type SchemeOptions = Partial<QScheme>;

/** Quantization parameters of a tensor (or of one channel / group of it). */
export interface QParams {
  /** An f32-representable positive number. */
  scale: number;
  /** Math.fround(1 / scale): what both CPU and GPU multiply by. */
  invScale: number;
  /** An integer in [qmin, qmax]; the code of the real value 0. */
  zeroPoint: number;
  qmin: number;
  qmax: number;
  bits: number;
  signed: boolean;
}

/** Smallest scale we emit: the smallest normal f32, so that invScale stays finite and GPUs do not flush it. */
const MIN_SCALE = 2 ** -126;

/**
 * Defaults: 8 bits, symmetric, signed; narrow when symmetric and signed (the project's [-127, 127] / [-7, 7]).
 * Pass `narrow: false` for the full range ([-128, 127], [-8, 7]).
 */
export function resolveScheme(opts: SchemeOptions = {}): QScheme {
  const bits = opts.bits ?? 8;
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) throw new Error(`quant: bits must be an integer in 2..16, got ${bits}`);
  const symmetric = opts.symmetric ?? true;
  const signed = opts.signed ?? true;
  return { bits, symmetric, signed, narrow: signed && (opts.narrow ?? symmetric) };
}

/** The integer range of a scheme. */
export function qRange(scheme: QScheme): { qmin: number; qmax: number } {
  const { bits, signed, narrow } = scheme;
  if (!signed) return { qmin: 0, qmax: 2 ** bits - 1 };
  const half = 2 ** (bits - 1);
  return { qmin: narrow ? -half + 1 : -half, qmax: half - 1 };
}

/** Round to nearest, ties to even: WGSL `round()`. Math.round rounds ties toward +infinity, so fix those up. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Parameters that represent `range` under `scheme`.
 * - Symmetric signed: s = amax / ((qmax - qmin) / 2), z = 0 (amax / 127 for narrow int8; amax / 127.5 for the full
 *   range, as PyTorch does, so that -amax lands on -128 and +amax rounds into 127).
 * - Symmetric unsigned: s = max / qmax, z = 0; negative values clamp to 0 (meant for post-ReLU data).
 * - Asymmetric: the range is first widened to contain 0, s = (max - min) / (qmax - qmin),
 *   z = qmin - round(min / s), so that 0 is exactly representable (zero padding stays exact).
 * A range of width 0 gets s = 1. The scale is rounded to f32 before z is derived from it.
 */
export function chooseQParams(range: Range, opts: SchemeOptions = {}): QParams {
  const scheme = resolveScheme(opts);
  const { min, max } = range;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`chooseQParams: invalid range [${min}, ${max}]`);
  }
  const { qmin, qmax } = qRange(scheme);
  let scale: number;
  if (scheme.symmetric) {
    const amax = scheme.signed ? Math.max(-min, max, 0) : Math.max(max, 0);
    scale = amax / (scheme.signed ? (qmax - qmin) / 2 : qmax);
  } else {
    scale = (Math.max(max, 0) - Math.min(min, 0)) / (qmax - qmin);
  }
  scale = scale > 0 ? Math.max(Math.fround(scale), MIN_SCALE) : 1;
  let zeroPoint = 0;
  if (!scheme.symmetric) {
    zeroPoint = Math.min(qmax, Math.max(qmin, qmin - roundHalfEven(Math.min(min, 0) / scale)));
  }
  return { scale, invScale: Math.fround(1 / scale), zeroPoint, qmin, qmax, bits: scheme.bits, signed: scheme.signed };
}

/** Quantize one value (see the module comment for the exact arithmetic). */
export function quantizeValue(x: number, p: QParams): number {
  const q = roundHalfEven(Math.fround(Math.fround(x) * p.invScale)) + p.zeroPoint;
  return q < p.qmin ? p.qmin : q > p.qmax ? p.qmax : q;
}

/** Dequantize one code: Math.fround((q - z) * s). */
export function dequantizeValue(q: number, p: QParams): number {
  return Math.fround((q - p.zeroPoint) * p.scale);
}

/** The real values the grid can represent: [(qmin - z) * s, (qmax - z) * s]. */
export function representableRange(p: QParams): Range {
  return { min: dequantizeValue(p.qmin, p), max: dequantizeValue(p.qmax, p) };
}
