// Input loader of the smem int conv families when C4 % 4 == 0: one 16-byte load per call (every pixel starts on
// a 16-byte boundary and cw is a multiple of 4). Chunks past the pixel's last word are clamped to its last vec4
// (their weights are zero); padding reads as the input zero point in every byte.
@group(0) @binding(0) var<storage, read> input: array<vec4<u32>>;

// Words cw..cw+3 of the pixel at tap (kh, kw) from origin o.
fn load_x4(o: vec3<i32>, kh: u32, kw: u32, cw: u32) -> vec4<u32> {
  let b = tap_base(o, kh, kw, 0u);
  if (b < 0) { return vec4<u32>(u.ZP_WORD); }
  return input[(u32(b) + min(cw, u.C4 - 4u)) / 4u];
}
