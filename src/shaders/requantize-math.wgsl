// Byte-lane helpers of the int8 kernels that rescale with mul_shift_round (fixedpoint.wgsl, appended with this file).

// Byte k of a packed word as a signed int8 value.
fn lane_i8(w: u32, k: u32) -> i32 {
  return extractBits(bitcast<i32>(w), k * 8u, 8u);
}

// Low byte of v, placed in lane k.
fn to_lane(v: i32, k: u32) -> u32 {
  return (bitcast<u32>(v) & 0xffu) << (k * 8u);
}
