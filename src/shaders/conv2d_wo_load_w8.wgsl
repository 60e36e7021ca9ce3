// Weight-only int8: one u32 per vec4 row entry, byte l = output channel 4*c4+l (two's complement).
// scales: one vec4 per (scale block, c4); block b covers global weight rows [b*gs, (b+1)*gs).
fn load_w4(r: u32, c4: u32) -> vec4f {
  let q = unpack4xI8(weights[r * u.cg4 + c4]);
  return vec4f(q) * scales[(r / u.gs) * u.cg4 + c4];
}
