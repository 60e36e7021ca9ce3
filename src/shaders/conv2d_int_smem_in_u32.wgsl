// Input loader of the smem int conv families for any channel count: four scalar words per call (a warp's calls
// read consecutive words, which a GPU coalesces). Words past the pixel's last one are clamped to it (their
// weights are zero); padding reads as the input zero point in every byte.
@group(0) @binding(0) var<storage, read> input: array<u32>;

// Words cw..cw+3 of the pixel at tap (kh, kw) from origin o.
fn load_x4(o: vec3<i32>, kh: u32, kw: u32, cw: u32) -> vec4<u32> {
  let b = tap_base(o, kh, kw, 0u);
  if (b < 0) { return vec4<u32>(u.ZP_WORD); }
  let i = u32(b) + cw;
  let last = u32(b) + u.C4 - 1u;
  return vec4<u32>(input[min(i, last)], input[min(i + 1u, last)], input[min(i + 2u, last)], input[min(i + 3u, last)]);
}
