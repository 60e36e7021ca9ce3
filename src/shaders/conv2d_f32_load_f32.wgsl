// fp32 weights: array<vec4f>, row (g * kk + k) of cg4 vec4.
fn load_w4(g: u32, k: u32, c4: u32) -> vec4f {
  return weights[(g * u.kk + k) * u.cg4 + c4];
}
