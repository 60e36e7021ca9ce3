/**
 * CPU reference of the integer epilogue in src/shaders/requant.wgsl (`requant_tail`), bit for bit.
 */
import { type FixedMultiplier, clampInt, mulShiftRound, roundShift } from '../../src/quant/fixedpoint.ts';

export interface RequantRef {
  /** Fractional bits of `t` (0, or FRAC_BITS with a residual / int4 groups). */
  s: number;
  zOut: number;
  qLo: number;
  qHi: number;
  /** 16384-word LUT (int16 -> int8) from activationLut; replaces the [qLo, qHi] clamp. */
  lut?: Uint32Array;
  residual?: { z: number; m: FixedMultiplier };
}

export function lutLookupRef(lut: Uint32Array, v: number): number {
  const k = clampInt(v, -32768, 32767) + 32768;
  return (lut[k >> 2] << (24 - 8 * (k & 3))) >> 24;
}

/** `t` (output scale, `s` fractional bits) and the residual's int8 value -> int8 output. */
export function requantTailRef(t: number, res: number, o: RequantRef): number {
  let v = t;
  if (o.residual) {
    const rt = mulShiftRound(res - o.residual.z, o.residual.m.m0, o.residual.m.r - o.s);
    v = clampInt(v, -(2 ** 29), 2 ** 29) + clampInt(rt, -(2 ** 29), 2 ** 29);
  }
  v = clampInt(roundShift(v, o.s), -(2 ** 24), 2 ** 24) + o.zOut;
  return o.lut ? lutLookupRef(o.lut, v) : clampInt(v, o.qLo, o.qHi);
}
