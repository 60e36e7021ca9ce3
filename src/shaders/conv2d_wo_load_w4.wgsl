// Weight-only int4: eight per u32, nibble j = bits 4j..4j+3 = element 8i+j of the row-major [g][kk][cg4*4]
// array (two's complement); cg4 is even so a vec4 row entry is one half of a u32. Scales as for int8.
fn load_w4(g: u32, k: u32, c4: u32) -> vec4f {
  let e = (g * u.kk + k) * u.cg4 + c4;
  let word = weights[e >> 1u] >> ((e & 1u) * 16u);
  // Sign-extend each nibble: move it to the top of an i32, then arithmetic shift right by 28.
  let q = vec4i(i32(word << 28u), i32(word << 24u), i32(word << 20u), i32(word << 16u)) >> vec4u(28u);
  return vec4f(q) * scales[(g * u.kb + k / u.gs) * u.cg4 + c4];
}
