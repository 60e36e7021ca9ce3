// Elementwise binary op with numpy broadcasting on f32, rank <= 6, and a fused activation:
//   output[i] = activate(a[sum_d c_d * a_stride[d]] OP b[sum_d c_d * b_stride[d]])
// A broadcast dim has stride 0. activation.wgsl is appended by the builder.
struct U {
  shape: array<vec4u, 2>,
  a_stride: array<vec4u, 2>,
  b_stride: array<vec4u, 2>,
  n: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<uniform> u: U;

override WG: u32 = 256u;
override OP: u32 = 0u; // see BINARY_OP in binary.ts

// ONNX Pow: a negative base with an integral exponent is defined (sign from the exponent's parity);
// WGSL pow() is undefined for x < 0 and for x == 0, y <= 0, so those cases are handled here.
fn pow_onnx(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  // infinities and NaN built at run time: WGSL rejects non-finite constant expressions
  if (x == 0.0) { return select(0.0, 1.0 / abs(x), y < 0.0); } // 0^negative = +inf
  let r = pow(abs(x), y);
  if (x > 0.0) { return r; }
  if (y != floor(y)) { return (x - x) / (x - x); } // NaN (where the device has NaNs)
  return select(r, -r, fract(y * 0.5) != 0.0);
}

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return pow_onnx(x, y); }
    case 5u: { return max_nan(x, y); }
    case 6u: { return min_nan(x, y); }
    default: { return x + y; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = 5u; d < 6u; d--) { // wraps to 0xffffffff after d = 0
    let size = u.shape[d / 4u][d % 4u];
    let c = rem % size;
    rem /= size;
    ia += c * u.a_stride[d / 4u][d % 4u];
    ib += c * u.b_stride[d / 4u][d % 4u];
  }
  output[i] = activate(apply(a[ia], b[ib]));
}
