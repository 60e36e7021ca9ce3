/**
 * CPU reference of the integer epilogue in src/shaders/requant.wgsl (`requant_tail`), bit for bit, and of the
 * fixed-point rescaling `mul_shift_round`, written from the definition with BigInt (not the library's code).
 */
import { clampInt } from '../../src/quant/fixedpoint.ts';

export interface RequantRef {
  /** Fractional bits of `t` (0, or FRAC_BITS with int4 groups). */
  s: number;
  zOut: number;
  qLo: number;
  qHi: number;
  /** 16384-word LUT (int16 -> int8) from activationLut; replaces the [qLo, qHi] clamp. */
  lut?: Uint32Array;
  /** 256 x 256 residual table (addTable): output = table[clamped value][residual]. */
  residualTable?: Uint32Array;
}

/** round_half_even(x * m0 / 2^r), saturated to i32: the definition, in BigInt. */
export function mulShiftRoundRef(x: number, m0: number, r: number): number {
  const p = BigInt(x) * BigInt(m0);
  const d = 1n << BigInt(r);
  let q = p >= 0n ? p / d : -((-p + d - 1n) / d); // floor
  const rem = p - q * d;
  if (2n * rem > d || (2n * rem === d && (q & 1n) !== 0n)) q += 1n;
  const lo = -(2n ** 31n);
  const hi = 2n ** 31n - 1n;
  return Number(q < lo ? lo : q > hi ? hi : q);
}

/** x / 2^s rounded half to even. */
export function roundShiftRef(x: number, s: number): number {
  return s === 0 ? x : mulShiftRoundRef(x, 1, s);
}

function byteAt(table: Uint32Array, k: number): number {
  return (table[k >> 2] << (24 - 8 * (k & 3))) >> 24;
}

export function lutLookupRef(lut: Uint32Array, v: number): number {
  return byteAt(lut, clampInt(v, -32768, 32767) + 32768);
}

/** `t` (output scale, `s` fractional bits) and the residual's int8 value -> int8 output. */
export function requantTailRef(t: number, res: number, o: RequantRef): number {
  const v = clampInt(roundShiftRef(t, o.s), -(2 ** 24), 2 ** 24) + o.zOut;
  if (o.lut) return lutLookupRef(o.lut, v);
  const c = clampInt(v, o.qLo, o.qHi);
  return o.residualTable ? byteAt(o.residualTable, (c + 128) * 256 + res + 128) : c;
}
