// NaN-propagating helpers. WGSL's max/min/clamp leave NaN handling to the implementation (SwiftShader returns the
// other operand, so max(NaN, 0.0) == 0.0): float models must give NaN where onnxruntime does, so every kernel that
// takes a max, min or clamp of float data tests NaN explicitly. The test is on the bits, since a compiler may
// assume x != x is false.
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// IEEE 754-2019 maximum/minimum: NaN if either operand is NaN.
fn max_nan(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, is_nan(b)), a, is_nan(a));
}

fn min_nan(a: f32, b: f32) -> f32 {
  return select(select(min(a, b), b, is_nan(b)), a, is_nan(a));
}
