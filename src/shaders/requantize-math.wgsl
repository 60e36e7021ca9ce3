// Exact fixed-point rescaling shared by every int8 kernel that changes scale (requantize, int8 add/mul,
// int8 global average pool). WGSL has no 64-bit integers, so the 31x31-bit product is built from 16-bit limbs.
//
// mul_shift(p, m, s) = floor((p * m + 2^(s-1)) / 2^s), saturated to i32: p * (m / 2^s) rounded half up,
// with one rounding only. Requires m < 2^31 and 1 <= s <= 62. Mirrored bit-exactly by mulShiftRef (BigInt)
// in requantize-math.ts.
fn mul_shift(p: i32, m: u32, s: u32) -> i32 {
  let a = u32(abs(p)); // abs(-2^31) is -2^31, whose bits read as u32 are 2^31: still the magnitude
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let m0 = m & 0xffffu;
  let m1 = m >> 16u;
  let p00 = a0 * m0;
  let p01 = a0 * m1;
  let p10 = a1 * m0;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  var lo = (p00 & 0xffffu) | (mid << 16u);
  var hi = a1 * m1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  if (p < 0) { // two's complement negation of hi:lo
    lo = ~lo + 1u;
    hi = ~hi + select(0u, 1u, lo == 0u);
  }
  // + 2^(s-1)
  let r = s - 1u;
  let add_lo = select(0u, 1u << (r & 31u), r < 32u);
  let add_hi = select(1u << ((r - 32u) & 31u), 0u, r < 32u);
  let sum_lo = lo + add_lo;
  hi = hi + add_hi + select(0u, 1u, sum_lo < lo);
  lo = sum_lo;
  // arithmetic shift right of the signed 64-bit hi:lo by s
  var res_lo: u32;
  var res_hi: i32;
  if (s < 32u) {
    res_lo = (lo >> s) | (hi << ((32u - s) & 31u));
    res_hi = bitcast<i32>(hi) >> s;
  } else {
    res_lo = bitcast<u32>(bitcast<i32>(hi) >> ((s - 32u) & 31u));
    res_hi = bitcast<i32>(hi) >> 31u;
  }
  let v = bitcast<i32>(res_lo);
  if (res_hi != (v >> 31u)) { return select(2147483647, bitcast<i32>(0x80000000u), res_hi < 0); }
  return v;
}

// Byte k of a packed word as a signed int8 value.
fn lane_i8(w: u32, k: u32) -> i32 {
  return extractBits(bitcast<i32>(w), k * 8u, 8u);
}

// Low byte of v, placed in lane k.
fn to_lane(v: i32, k: u32) -> u32 {
  return (bitcast<u32>(v) & 0xffu) << (k * 8u);
}
