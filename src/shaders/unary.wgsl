// Elementwise op then activation on a flat f32 tensor: output[i] = activate(op(input[i])).
// The op is chosen by override OP (see UNARY_OP in unary.ts); OP_A/OP_B parameterise pow and affine.
// nan.wgsl and activation.wgsl are appended by the builder.
struct U { n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;
override OP: u32 = 0u;
override OP_A: f32 = 0.0;
override OP_B: f32 = 0.0;

// Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7.
fn erf_approx(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-x * x));
}

// x^OP_A with ONNX Pow semantics for a constant exponent: negative bases need an integral exponent.
fn pow_const(x: f32) -> f32 {
  if (OP_A == 0.0) { return 1.0; }
  if (x == 0.0) { return select(0.0, 1.0 / abs(x), OP_A < 0.0); } // 0^negative = +inf, built at run time
  let r = pow(abs(x), OP_A);
  if (x > 0.0) { return r; }
  return select(r, -r, fract(OP_A * 0.5) != 0.0); // non-integral exponents of negatives are undefined in ONNX too
}

fn op(x: f32) -> f32 {
  // NaN in, NaN out, as onnxruntime (exp, tanh... of NaN are not NaN on every device); x^0 stays 1 (IEEE pow).
  if (is_nan(x) && !(OP == 13u && OP_A == 0.0)) { return x; }
  switch OP {
    case 1u: { return exp(x); }
    case 2u: { return log(x); }
    case 3u: { return sqrt(x); }
    case 4u: { return inverseSqrt(x); }
    case 5u: { return tanh(clamp(x, -10.0, 10.0)); } // tanh(+-10) is +-1 in f32; SwiftShader's tanh(inf) is NaN
    case 6u: { return -x; }
    case 7u: { return abs(x); }
    case 8u: { return 1.0 / x; }
    case 9u: { return floor(x); }
    case 10u: { return ceil(x); }
    case 11u: { return round(x); } // half to even, as ONNX Round
    case 12u: { return erf_approx(x); }
    case 13u: { return pow_const(x); }
    case 14u: { return x * OP_A + OP_B; }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  output[i] = activate(op(input[i]));
}
