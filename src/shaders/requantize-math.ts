/**
 * Fixed-point rescaling for the int8 kernels outside conv/GEMM. The multiplier rule is the project's one, from
 * src/quant/fixedpoint.ts: a real ratio r > 0 becomes `m` in [2^30, 2^31) and a right shift `s` in [1, 62] with
 * r ~= m / 2^s, applied as `mul_shift_round(p, m, s) = floor((p * m + 2^(s-1)) / 2^s)` (round half up, one
 * rounding, saturated to i32). fixedpoint.wgsl computes it with 16-bit limbs (WGSL has no i64), so CPU and GPU
 * agree bit for bit on every device (no float, hence no FMA-contraction differences); the conv epilogues
 * (requant.wgsl) use the same function.
 *
 * This is gemmlowp's idea (a Q31 multiplier and a shift) with a single exact rounding instead of gemmlowp's
 * SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT; results can differ from TFLite by one
 * unit on exact ties.
 */
import laneCode from './requantize-math.wgsl?raw';
import fixedPointCode from './fixedpoint.wgsl?raw';
import { mulShiftRound, quantizeMultiplier } from '../quant/fixedpoint.ts';

/** WGSL appended by the int8 rescaling kernels: byte-lane helpers and `mul_shift_round`. */
export const requantizeMathCode = `${laneCode}\n${fixedPointCode}`;
export { fixedPointCode };

export interface FixedMultiplier {
  /** In [2^30, 2^31) except for tiny ratios (s capped at 62). */
  m: number;
  /** Right shift, 1..62. */
  s: number;
}

/** The multiplier and shift for `ratio` (> 0, < 2^30). Throws, naming `what`, for ratios it cannot represent. */
export function fixedMultiplier(ratio: number, what = 'ratio'): FixedMultiplier {
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`fixed-point: ${what} must be a positive finite number, got ${ratio}`);
  if (ratio >= 2 ** 30) throw new Error(`fixed-point: ${what} ${ratio} is too large (>= 2^30)`);
  const { m0, r } = quantizeMultiplier(ratio);
  return { m: m0, s: r };
}

/** floor((p * m + 2^(s-1)) / 2^s), saturated to i32: the exact definition that `mul_shift_round` implements. */
export const mulShiftRef = mulShiftRound;

/** Uniform fields shared by kernels that take a multiplier: [m (u32), s (u32)]. */
export function multiplierFields(f: FixedMultiplier): ['u32', number][] {
  return [['u32', f.m], ['u32', f.s]];
}
