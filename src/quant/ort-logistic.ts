/**
 * onnxruntime's float32 Sigmoid, bit for bit: its CPU provider calls MLAS's logistic kernel (on x86 with FMA3,
 * MlasLogisticKernelFma3; the same rational polynomial as Eigen):
 *
 *     v = clamp(x, -18, 18);  p = v * P(v^2);  q = Q(v^2);  y = max(p / q + 0.5, 0)
 *
 * with each polynomial step a fused multiply-add (one rounding) and no upper clamp (y may be 1.0000001). A QDQ
 * model quantizes this value, so 1 / (1 + exp(-x)) (one ulp off on about 60% of inputs) moves a code wherever
 * the value sits near a rounding boundary. Checked against onnxruntime in test/qdq-sigmoid.test.ts.
 */
const f = Math.fround;

/** MLAS's coefficients as float32: alpha_9 .. alpha_1 of P, beta_10 .. beta_0 of Q. */
const P = [4.37031012579801e-11, 1.15627324459942e-07, 6.08574864600143e-05, 8.51377133304701e-03, 2.48287947061529e-01].map(f);
const Q = [6.10247389755681e-13, 5.76102136993427e-09, 6.29106785017040e-06, 1.70198817374094e-03, 1.16817656904453e-01, 9.93151921023180e-01].map(f);

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float32 next to `r` (finite, nonzero) in the direction of `toward`. */
function neighbour(r: number, toward: number): number {
  f32[0] = r;
  i32[0] += (toward > r) === (r > 0) ? 1 : -1;
  return f32[0];
}

/**
 * fl32(a * b + c) with one rounding, for float32 a, b, c: a * b is exact in a double (24 + 24 bits); the double
 * sum s and its error e (TwoSum) hold a + b + c exactly, and rounding s to float32 is right unless s is exactly
 * halfway between two float32s, where the sign of e decides.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bv = s - p;
  const e = (p - (s - bv)) + (c - bv);
  const r = f(s);
  if (e === 0 || r === s || r === 0 || !Number.isFinite(r)) return r;
  const other = neighbour(r, s);
  if (Math.abs(s - r) !== Math.abs(other - s)) return r;
  return (e > 0) === (other > r) ? other : r;
}

/** onnxruntime's Sigmoid of one float32 value (NaN stays NaN). */
export function ortLogistic(x: number): number {
  if (Number.isNaN(x)) return x;
  const v = Math.min(18, Math.max(-18, f(x)));
  const v2 = f(v * v);
  let p = fmaF32(v2, P[0], P[1]);
  for (let i = 2; i < P.length; i++) p = fmaF32(p, v2, P[i]);
  p = f(p * v);
  let q = fmaF32(v2, Q[0], Q[1]);
  for (let i = 2; i < Q.length; i++) q = fmaF32(q, v2, Q[i]);
  return Math.max(f(f(p / q) + 0.5), 0);
}
