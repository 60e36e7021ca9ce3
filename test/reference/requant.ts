/**
 * CPU reference of the integer epilogue in src/shaders/requant.wgsl (`requant_tail`), bit for bit, and of the
 * fixed-point rescaling `mul_shift_round`, written from the definition with BigInt (not the library's code).
 */

/** v clamped to [lo, hi]. */
export const clampInt = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

export interface RequantRef {
  /** Fractional bits of `t` (0, or FRAC_BITS with int4 groups). */
  s: number;
  zOut: number;
  qLo: number;
  qHi: number;
  /** 256 x 256 residual table (addTable): output = table[clamped value][residual]. */
  residualTable?: Uint32Array;
}

/**
 * The fixed-point multiplier (m0, r) of a positive real ratio, m0 / 2^r, as TFLite's QuantizeMultiplier defines
 * it: ratio = q * 2^e with q in [0.5, 1), m0 = round(q * 2^31) (half up; 2^31 renormalized to 2^30 with e + 1),
 * r = 31 - e, and above the largest shift 62 the mantissa loses its low bits (rounded) instead.
 */
export function multiplierRef(ratio: number): { m0: number; r: number } {
  let q = ratio;
  let e = 0;
  while (q >= 1) { q /= 2; e++; }
  while (q < 0.5) { q *= 2; e--; }
  let m0 = Math.round(q * 2 ** 31);
  if (m0 === 2 ** 31) { m0 = 2 ** 30; e++; }
  const r = 31 - e;
  return r <= 62 ? { m0, r } : { m0: Math.round(m0 / 2 ** (r - 62)), r: 62 };
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

/** `t` (output scale, `s` fractional bits) and the residual's int8 value -> int8 output. */
export function requantTailRef(t: number, res: number, o: RequantRef): number {
  const v = clampInt(roundShiftRef(t, o.s), -(2 ** 24), 2 ** 24) + o.zOut;
  const c = clampInt(v, o.qLo, o.qHi);
  return o.residualTable ? byteAt(o.residualTable, (c + 128) * 256 + res + 128) : c;
}
