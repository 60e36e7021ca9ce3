/**
 * Fixed-point rescaling for int8 kernels: a real ratio r > 0 becomes an integer multiplier `m` in [2^30, 2^31)
 * and a right shift `s`, so that r ~= m / 2^s with 31 significant bits. The GPU computes
 * `mul_shift(p, m, s) = floor((p * m + 2^(s-1)) / 2^s)` (round half up, one rounding, saturated to i32) with
 * 16-bit limbs (requantize-math.wgsl); `mulShiftRef` is the same definition in BigInt, so CPU and GPU agree
 * bit for bit on every device (no float, hence no FMA-contraction differences).
 *
 * This is gemmlowp's idea (a Q31 multiplier and a shift) with a single exact rounding instead of gemmlowp's
 * SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT; results can differ from TFLite by one
 * unit on exact ties.
 */
import requantizeMathCode from './requantize-math.wgsl?raw';

export { requantizeMathCode };

export interface FixedMultiplier {
  /** In [2^30, 2^31) except for tiny ratios (s capped at 62). */
  m: number;
  /** Right shift, 1..62. */
  s: number;
}

/** The multiplier and shift for `ratio` (> 0, < 2^30). Throws for ratios the i32 pipeline cannot represent. */
export function fixedMultiplier(ratio: number, what = 'ratio'): FixedMultiplier {
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`fixed-point: ${what} must be a positive finite number, got ${ratio}`);
  let e = Math.floor(Math.log2(ratio));
  let m = Math.round(ratio * 2 ** (30 - e));
  // log2 may be off by one near powers of two; renormalise into [2^30, 2^31).
  while (m >= 2 ** 31) { e += 1; m = Math.round(ratio * 2 ** (30 - e)); }
  while (m < 2 ** 30) { e -= 1; m = Math.round(ratio * 2 ** (30 - e)); }
  let s = 30 - e;
  if (s < 1) throw new Error(`fixed-point: ${what} ${ratio} is too large (>= 2^30)`);
  if (s > 62) {
    m = Math.round(ratio * 2 ** 62);
    s = 62;
  }
  return { m, s };
}

/** floor((p * m + 2^(s-1)) / 2^s), saturated to i32: the exact definition that `mul_shift` implements. */
export function mulShiftRef(p: number, m: number, s: number): number {
  const v = (BigInt(p) * BigInt(m) + (1n << BigInt(s - 1))) >> BigInt(s);
  if (v > 2147483647n) return 2147483647;
  if (v < -2147483648n) return -2147483648;
  return Number(v);
}

/** Uniform fields shared by kernels that take a multiplier: [m (u32), s (u32)]. */
export function multiplierFields(f: FixedMultiplier): ['u32', number][] {
  return [['u32', f.m], ['u32', f.s]];
}
