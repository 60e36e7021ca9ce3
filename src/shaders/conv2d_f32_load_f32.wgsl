// fp32 weights: array<vec4f>, global row r = g * kk + k of cg4 vec4.
fn load_w4(r: u32, c4: u32) -> vec4f {
  return weights[r * u.cg4 + c4];
}

// Float weights need no output scale.
fn out_scale(g: u32, c: u32) -> f32 { return 1.0; }
