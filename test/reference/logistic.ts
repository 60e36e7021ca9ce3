/**
 * Reference of onnxruntime's float32 Sigmoid (MLAS's FMA3 logistic kernel: clamp to [-18, 18], a rational
 * polynomial by fused multiply-adds, + 0.5, max with 0):
 * the fused multiply-add here is exact integer arithmetic (BigInt) rounded once, not a double-precision trick.
 */

const SCALE = 2 ** 149; // every float32 is an integer multiple of 2^-149

/** The float32 `x` as the integer x * 2^149. */
const units = (x: number): bigint => BigInt(x * SCALE);

/** Round n * 2^e (n an integer) to the nearest float32, ties to even (no overflow in our range). */
function roundToF32(n: bigint, e: number): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  let m = neg ? -n : n;
  const bits = m.toString(2).length;
  const k = Math.max(bits - 24, -149 - e); // keep 24 significant bits, or stop at the subnormal grid
  if (k > 0) {
    const K = BigInt(k);
    const q = m >> K;
    const rem = m - (q << K);
    const half = 1n << (K - 1n);
    m = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    e += k;
  }
  const v = Number(m) * 2 ** e;
  return neg ? -v : v;
}

/** a * b + c for float32 values, computed exactly and rounded once to float32. */
export function fmaRef(a: number, b: number, c: number): number {
  return roundToF32(units(a) * units(b) + (units(c) << 149n), -298);
}

const f = Math.fround;
const ALPHA = [4.37031012579801e-11, 1.15627324459942e-07, 6.08574864600143e-05, 8.51377133304701e-03, 2.48287947061529e-01];
const BETA = [6.10247389755681e-13, 5.76102136993427e-09, 6.29106785017040e-06, 1.70198817374094e-03, 1.16817656904453e-01, 9.93151921023180e-01];

/** onnxruntime's Sigmoid of a float32 value. */
export function logisticRef(x: number): number {
  const v = f(Math.min(Math.max(x, -18), 18));
  const v2 = f(v * v);
  const horner = (cs: number[]) => cs.slice(1).reduce((acc, c) => fmaRef(acc, v2, f(c)), f(cs[0]));
  const p = f(horner(ALPHA) * v);
  const q = horner(BETA);
  return Math.max(f(f(p / q) + 0.5), 0);
}

/** SiLU as a QDQ export runs it: Sigmoid, then Mul by the input (float32). */
export const siluRef = (x: number): number => f(x * logisticRef(x));
