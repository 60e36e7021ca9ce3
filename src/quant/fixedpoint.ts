/**
 * Fixed-point requantization multipliers (gemmlowp / TFLite style), shared by the integer kernels' packers, the
 * WGSL requant code (src/shaders/requant.wgsl) and the CPU references.
 *
 * A real multiplier M > 0 is represented as an integer pair (m0, r):
 *
 *     M ~= m0 / 2^r      with m0 in [2^30, 2^31) (31 significant bits) and r in [1, 62]
 *
 * and applied to an i32 `x` as
 *
 *     mulShiftRound(x, m0, r) = saturate_i32( roundHalfEven( x * m0 / 2^r ) )
 *
 * i.e. the exact 64-bit product x * m0, rounded to nearest with ties to even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2),
 * one rounding only. Ties to even because that is how ONNX QuantizeLinear rounds: where the real product is an
 * exact tie (power-of-two scale ratios make them common), a QDQ model's reference (onnxruntime computes
 * Q(DQ(x) * DQ(w)) in float, exactly for such scales) rounds to even, and so must we. The GPU emulates the 64-bit product with 16-bit limbs, so GPU and CPU
 * agree bit-exactly on every device: there is no float in this path, hence no FMA contraction to worry about.
 *
 * Range: M in (0, 2^30). M < 2^-31 keeps r = 62 and loses low bits of m0 (m0 < 2^30; M < 2^-62 gives m0 = 0).
 */

/** A real multiplier as `m0 / 2^r`. */
export interface FixedMultiplier {
  /** In [0, 2^31): the top 31 bits of M's mantissa. */
  m0: number;
  /** Right shift in [1, 62]. */
  r: number;
}

/** Largest right shift the WGSL 64-bit emulation supports. */
export const MAX_SHIFT = 62;

/** (m0, r) nearest to `multiplier`; throws for negative, non-finite or >= 2^30 multipliers. */
export function quantizeMultiplier(multiplier: number): FixedMultiplier {
  if (!Number.isFinite(multiplier) || multiplier < 0) {
    throw new Error(`fixedpoint: multiplier ${multiplier} must be finite and >= 0`);
  }
  if (multiplier === 0) return { m0: 0, r: 31 };
  if (multiplier >= 2 ** 30) throw new Error(`fixedpoint: multiplier ${multiplier} is too large (>= 2^30)`);
  // multiplier = q * 2^e with q in [0.5, 1)
  let e = Math.floor(Math.log2(multiplier)) + 1;
  let q = multiplier / 2 ** e;
  if (q >= 1) { q /= 2; e += 1; }
  if (q < 0.5) { q *= 2; e -= 1; }
  let m0 = Math.round(q * 2 ** 31);
  if (m0 === 2 ** 31) { m0 = 2 ** 30; e += 1; }
  let r = 31 - e;
  if (r > MAX_SHIFT) {
    // Tiny multiplier: keep the largest shift and drop low mantissa bits (rounded).
    m0 = Math.round(m0 / 2 ** (r - MAX_SHIFT));
    r = MAX_SHIFT;
  }
  return { m0, r };
}

/** The real value a fixed multiplier stands for. */
export function multiplierValue(f: FixedMultiplier): number {
  return f.m0 / 2 ** f.r;
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;

/**
 * Exact CPU mirror of `mul_shift_round` in fixedpoint.wgsl: x * m0 / 2^r rounded half to even, saturated to i32.
 * `x` is an i32, `m0` in [0, 2^31), `r` in [1, 62]. Computed as floor((p + 2^(r-1) - 1 + b) / 2^r) with p = x * m0
 * and b = bit r of p (the parity of floor(p / 2^r)): on a tie that adds 2^r - 1 + b, i.e. rounds up iff odd.
 */
export function mulShiftRound(x: number, m0: number, r: number): number {
  if (r < 1 || r > MAX_SHIFT) throw new Error(`fixedpoint: shift ${r} outside [1, ${MAX_SHIFT}]`);
  // Fast exact path: |x * m0| < 2^52 is exact in a double, and so are the adds and the floor division by 2^r.
  const p = x * m0;
  if (Math.abs(p) < 2 ** 52 && r <= 52) {
    const q = roundShift(p, r);
    return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, q));
  }
  const bp = BigInt(x) * BigInt(m0);
  const b = (bp >> BigInt(r)) & 1n;
  const big = (bp + (1n << BigInt(r - 1)) - 1n + b) >> BigInt(r);
  return Number(big < I32_MIN ? I32_MIN : big > I32_MAX ? I32_MAX : big);
}

/** x / 2^s rounded half to even (x an integer with |x| < 2^52); `s` = 0 returns x. */
export function roundShift(x: number, s: number): number {
  if (s === 0) return x;
  const f = Math.floor(x / 2 ** s);
  const rem = x - f * 2 ** s;
  const half = 2 ** (s - 1);
  return rem > half || (rem === half && f % 2 !== 0) ? f + 1 : f;
}

/** Clamp to [lo, hi]. */
export const clampInt = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
