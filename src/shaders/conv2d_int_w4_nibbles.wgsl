// Int4 weight unpacking shared by the W4A8 kernels (layout: conv2d_int_pack_w4.ts). Nibbles 0..3 (lo) / 4..7 (hi)
// of each W4 word go into the high half of each byte: int8 lanes holding 16 * w, so the two's-complement sign
// needs no extension; group sums are divided by 16 (exactly) before scaling.
fn nibbles_lo(w: vec4<u32>) -> vec4<u32> {
  return ((w << vec4(4u)) & vec4(0xf0u)) | ((w << vec4(8u)) & vec4(0xf000u)) |
         ((w << vec4(12u)) & vec4(0xf00000u)) | ((w << vec4(16u)) & vec4(0xf0000000u));
}
fn nibbles_hi(w: vec4<u32>) -> vec4<u32> {
  return ((w >> vec4(12u)) & vec4(0xf0u)) | ((w >> vec4(8u)) & vec4(0xf000u)) |
         ((w >> vec4(4u)) & vec4(0xf00000u)) | (w & vec4(0xf0000000u));
}
