/**
 * Fixed-point rescaling for the int8 kernels outside conv/GEMM. The multiplier rule is the project's one, from
 * src/quant/fixedpoint.ts: a real ratio > 0 becomes `m0` in [2^30, 2^31) and a right shift `r` in [1, 62] with
 * ratio ~= m0 / 2^r, applied as `mul_shift_round(p, m0, r)` = p * m0 / 2^r rounded half to even (one rounding,
 * saturated to i32). fixedpoint.wgsl computes it with 16-bit limbs (WGSL has no i64), so CPU and GPU
 * agree bit for bit on every device (no float, hence no FMA-contraction differences); the conv epilogues
 * (requant.wgsl) use the same function.
 *
 * This is gemmlowp's idea (a Q31 multiplier and a shift) with a single exact rounding instead of gemmlowp's
 * SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT; results can differ from TFLite by one
 * unit on exact ties.
 */
import laneCode from './requantize-math.wgsl?raw';
import fixedPointCode from './fixedpoint.wgsl?raw';
import { type FixedMultiplier, quantizeMultiplier } from '../quant/fixedpoint.ts';

/** WGSL appended by the int8 rescaling kernels: byte-lane helpers and `mul_shift_round`. */
export const requantizeMathCode = `${laneCode}\n${fixedPointCode}`;
export { fixedPointCode };

export type { FixedMultiplier };

/** The multiplier and shift for `ratio` (> 0, < 2^30). Throws, naming `what`, for ratios it cannot represent. */
export function fixedMultiplier(ratio: number, what = 'ratio'): FixedMultiplier {
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`fixed-point: ${what} must be a positive finite number, got ${ratio}`);
  if (ratio >= 2 ** 30) throw new Error(`fixed-point: ${what} ${ratio} is too large (>= 2^30)`);
  return quantizeMultiplier(ratio);
}

/** Uniform fields shared by kernels that take a multiplier: [m0 (u32), r (u32)]. */
export function multiplierFields(f: FixedMultiplier): ['u32', number][] {
  return [['u32', f.m0], ['u32', f.r]];
}
