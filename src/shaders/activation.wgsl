// Fused activation, selected by override constants (see activation.ts). Appended to kernels that fuse one.
override ACT: u32 = 0u;
override ACT_A: f32 = 0.0;
override ACT_B: f32 = 0.0;

// Needs nan.wgsl: every branch returns NaN for NaN input, as onnxruntime does (max/min/exp alone may swallow it).
fn activate(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  switch ACT {
    case 1u: { return max(x, 0.0); }
    case 2u: { return min(max(x, ACT_A), ACT_B); } // not clamp(): overrides are const-evaluated and low>high errors
    case 8u: { return min(x, ACT_B); } // Clip with min = -inf (overrides must be finite)
    case 9u: { return max(x, ACT_A); } // Clip with max = +inf
    case 3u: { return select(x * ACT_A, x, x >= 0.0); }
    case 4u: { return ort_logistic(x); }
    case 5u: { return x * ort_logistic(x); } // SiLU as onnxruntime runs it: Sigmoid, then Mul
    case 6u: { return clamp(ACT_A * x + ACT_B, 0.0, 1.0); }
    case 7u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    default: { return x; }
  }
}

// Sigmoid as onnxruntime's CPU provider computes it (MLAS MlasLogisticKernelFma3, the same rational polynomial as
// Eigen): clamp to [-18, 18], p(v) / q(v) with fused multiply-adds, + 0.5, max with 0 (no min with 1: onnxruntime
// returns 1.0000001 near v = 18). A QDQ model quantizes this value, so an approximation that is one ulp off
// (1 / (1 + exp(-x)) is on ~60% of inputs) moves a code wherever the value sits near a rounding boundary.
// Bit-exact where WGSL's fma() is fused and the division correctly rounded; SwiftShader's fma() rounds twice (an
// ulp off on ~30% of inputs). An everywhere-exact variant (integer fused multiply-add and division) was built and
// measured (issue 10, docs/qdq.md): 3.7x the run time of YOLOX-nano int8 for the same output, so it is not kept.
fn ort_logistic(x: f32) -> f32 {
  let v = min(max(x, -18.0), 18.0);
  let v2 = v * v;
  // Horner in MLAS's order, unrolled (a loop over a constant array is not unrolled by every compiler): P from
  // alpha_9 down to alpha_1, Q from beta_10 down to beta_0.
  var p = fma(4.37031012579801e-11, v2, 1.15627324459942e-07);
  p = fma(p, v2, 6.08574864600143e-05);
  p = fma(p, v2, 8.51377133304701e-03);
  p = fma(p, v2, 2.48287947061529e-01);
  var q = fma(6.10247389755681e-13, v2, 5.76102136993427e-09);
  q = fma(q, v2, 6.29106785017040e-06);
  q = fma(q, v2, 1.70198817374094e-03);
  q = fma(q, v2, 1.16817656904453e-01);
  q = fma(q, v2, 9.93151921023180e-01);
  return max(p * v / q + 0.5, 0.0);
}
