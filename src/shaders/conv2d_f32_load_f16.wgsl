// fp16 weights with `shader-f16` (the builder prepends `enable f16;`): the same bytes as the packed layout,
// read as vec4<f16>; accumulation stays f32.
fn load_w4(r: u32, c4: u32) -> vec4f {
  return vec4f(weights[r * u.cg4 + c4]);
}

// Float weights need no output scale.
fn out_scale(g: u32, c: u32) -> f32 { return 1.0; }
