// Weight-only int8: one u32 per vec4 row entry, byte l = output channel 4*c4+l (two's complement).
// scales: vec4 per (group, reduction block of gs rows, c4); per-channel is gs = kk (kb = 1).
fn load_w4(g: u32, k: u32, c4: u32) -> vec4f {
  let q = unpack4xI8(weights[(g * u.kk + k) * u.cg4 + c4]);
  return vec4f(q) * scales[(g * u.kb + k / u.gs) * u.cg4 + c4];
}
