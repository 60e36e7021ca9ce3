// fp16 weights without `shader-f16`: two f16 per u32 (low half = even channel), so one vec2<u32> holds the
// four channels of a vec4 row entry. Converted to f32; compute stays f32.
fn load_w4(r: u32, c4: u32) -> vec4f {
  let p = weights[r * u.cg4 + c4];
  return vec4f(unpack2x16float(p.x), unpack2x16float(p.y));
}

// Float weights need no output scale.
fn out_scale(g: u32, c: u32) -> f32 { return 1.0; }
