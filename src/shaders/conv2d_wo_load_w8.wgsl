// Weight-only int8: one u32 per vec4 row entry, byte l = output channel 4*c4+l (two's complement).
// scales: one vec4 per (scale block, c4); block b covers global weight rows [b*gs, (b+1)*gs).
// Per output channel (one block per group, WO_GROUPED false) the scale is applied once to the finished sum
// (`out_scale`) instead of to every weight: exact up to f32 rounding and one gather less per weight.
override WO_GROUPED: bool = true;

fn load_w4(r: u32, c4: u32) -> vec4f {
  let q = vec4f(unpack4xI8(weights[r * u.cg4 + c4]));
  if (WO_GROUPED) { return q * scales[(r / u.gs) * u.cg4 + c4]; }
  return q;
}

// Scale of channel c (within group g's columns) when per channel, else 1.
fn out_scale(g: u32, c: u32) -> f32 {
  if (WO_GROUPED) { return 1.0; }
  return scales[g * u.cg4 + c / 4u][c % 4u];
}
