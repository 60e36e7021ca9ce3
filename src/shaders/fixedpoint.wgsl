// Exact fixed-point rescaling, shared by every int8 kernel that changes scale (conv epilogues, requantize, int8
// add/mul, int8 global average pool), bit-exact with src/quant/fixedpoint.ts (mulShiftRound). No float here, so
// every GPU gives the same bytes.

// x * m as a signed 64-bit (lo, hi), from 16-bit limbs: WGSL has no 64-bit integers.
fn mul_i32_u32(x: i32, m: u32) -> vec2<u32> {
  let a = bitcast<u32>(x);
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = m & 0xffffu;
  let b1 = m >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let t = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  var hi = a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (t >> 16u);
  // The unsigned product was of x + 2^32 when x < 0: take m * 2^32 back off.
  if (x < 0) { hi -= m; }
  return vec2<u32>((t << 16u) | (p00 & 0xffffu), hi);
}

fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

// x * m0 / 2^r rounded half to even (ONNX QuantizeLinear's rounding), saturated to i32, r in [1, 62]: one
// rounding, as floor((p + 2^(r-1) - 1 + b) / 2^r) with b = bit r of p (on a tie: up iff floor(p / 2^r) is odd).
fn mul_shift_round(x: i32, m0: u32, r: u32) -> i32 {
  let p = mul_i32_u32(x, m0);
  let b = select((p.y >> (r - 32u)) & 1u, (p.x >> r) & 1u, r < 32u);
  let half_m1 = select(vec2<u32>(0xffffffffu, (1u << (r - 33u)) - 1u), vec2<u32>((1u << (r - 1u)) - 1u, 0u), r <= 32u);
  let s = add64(add64(p, half_m1), vec2<u32>(b, 0u));
  let lo = s.x;
  let hi = s.y;
  let shi = bitcast<i32>(hi);
  var q: i32;
  var qhi: i32;
  if (r < 32u) {
    q = bitcast<i32>((lo >> r) | (hi << (32u - r)));
    qhi = shi >> r;
  } else {
    q = shi >> (r - 32u);
    qhi = shi >> 31u;
  }
  // The 64-bit quotient fits in i32 iff its high word is the sign extension of the low one.
  if (qhi == (q >> 31u)) { return q; }
  return select(2147483647, -2147483647 - 1, qhi < 0);
}
