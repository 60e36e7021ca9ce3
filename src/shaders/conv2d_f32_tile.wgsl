// The 4x4 register tile shared by the `reg` and `1x1` families (conv2d_f32_reg.wgsl, conv2d_f32_1x1.wgsl), which
// declare TM and TN4 and keep the 16 accumulators as named variables (a dynamically indexed private array would
// be spilled to memory on software compilers). Appended by the builder for those two families.

// One tile row: a_j += x * w_j for the TN4 live channel blocks (after override substitution the guards are constant).
fn fma_row(x: f32, w0: vec4f, w1: vec4f, w2: vec4f, w3: vec4f,
           a0: ptr<function, vec4f>, a1: ptr<function, vec4f>, a2: ptr<function, vec4f>, a3: ptr<function, vec4f>) {
  *a0 = fma(vec4f(x), w0, *a0); if (TN4 > 1u) { *a1 = fma(vec4f(x), w1, *a1); }
  if (TN4 > 2u) { *a2 = fma(vec4f(x), w2, *a2); } if (TN4 > 3u) { *a3 = fma(vec4f(x), w3, *a3); }
}

// Stores the tile (row i = pixel p0 + i, block j = channels 4 * (c40 + j) .. of group g), skipping pixels past
// the end and channels past cout_g.
fn store_tile(acc: array<vec4f, 16>, p0: u32, c40: u32, g: u32, cout_g: u32) {
  for (var i = 0u; i < TM; i++) {
    if (p0 + i >= u.pixels) { break; }
    for (var j = 0u; j < TN4; j++) {
      for (var l = 0u; l < 4u; l++) {
        let co = (c40 + j) * 4u + l;
        if (co < cout_g) { store(p0 + i, g * cout_g + co, acc[i * 4u + j][l] * out_scale(g, co)); }
      }
    }
  }
}
