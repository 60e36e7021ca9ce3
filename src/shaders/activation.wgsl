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
    case 4u: { return 1.0 / (1.0 + exp(-x)); }
    case 5u: { return x / (1.0 + exp(-x)); }
    case 6u: { return clamp(ACT_A * x + ACT_B, 0.0, 1.0); }
    case 7u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    default: { return x; }
  }
}
