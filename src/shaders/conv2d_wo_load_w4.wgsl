// Weight-only int4: eight per u32, nibble j = bits 4j..4j+3 = element 8i+j of the row-major [rows][cg4*4]
// array (two's complement); cg4 is even, so a vec4 row entry is one 16-bit half of a u32. Scales as for int8,
// including the per-channel shortcut (see conv2d_wo_load_w8.wgsl).
override WO_GROUPED: bool = true;

fn load_w4(r: u32, c4: u32) -> vec4f {
  let e = r * u.cg4 + c4;
  let half = weights[e >> 1u] >> ((e & 1u) * 16u);
  // Sign-extend each nibble: move it to the top of an i32, then shift right arithmetically by 28.
  let q = vec4f(vec4i(i32(half << 28u), i32(half << 24u), i32(half << 20u), i32(half << 16u)) >> vec4u(28u));
  if (WO_GROUPED) { return q * scales[(r / u.gs) * u.cg4 + c4]; }
  return q;
}

fn out_scale(g: u32, c: u32) -> f32 {
  if (WO_GROUPED) { return 1.0; }
  return scales[g * u.cg4 + c / 4u][c % 4u];
}
