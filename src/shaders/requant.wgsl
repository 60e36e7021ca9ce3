// Integer requantization, bit-exact with src/quant/fixedpoint.ts and test/reference/requant.ts. No float here, so
// every GPU gives the same bytes. The kernel that appends this file declares the `lut` binding and `u` (IntConvU).
override S: u32 = 0u;      // fractional bits kept while terms are summed (FRAC_BITS when RES or int4 groups)
override HALF_S: i32 = 0;  // 2^(S-1), or 0 when S == 0 (an override so that S == 0 is no const-eval error)
override RES: u32 = 0u;    // 1: add the int8 residual tensor
override LUT: u32 = 0u;    // 1: nonlinear activation through the 256-entry int8 table `lut`
override DEQ: u32 = 0u;    // 1: f32 output, activate(f32(acc) * scale)

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

// floor((x * m0 + 2^(r-1)) / 2^r) saturated to i32, r in [1, 62]: round half up, one rounding.
fn mul_shift_round(x: i32, m0: u32, r: u32) -> i32 {
  let p = mul_i32_u32(x, m0);
  var lo = p.x;
  var hi = p.y;
  if (r <= 32u) {
    let s = lo + (1u << (r - 1u));
    hi += select(0u, 1u, s < lo);
    lo = s;
  } else {
    hi += 1u << (r - 33u);
  }
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

fn lut_lookup(v: i32) -> i32 {
  let k = u32(clamp(v, -128, 127) + 128);
  return (bitcast<i32>(lut[k >> 2u] << (24u - 8u * (k & 3u)))) >> 24u;
}

// From a value `t` at the output scale with S fractional bits to the int8 output: + residual term, round away
// the fractional bits, + zero point, then LUT or clamp. `res` is the residual's int8 value (unused if RES == 0).
fn requant_tail(t: i32, res: i32) -> i32 {
  var v = t;
  if (RES != 0u) {
    let rt = mul_shift_round(res - u.z_res, u.m_res, u.r_res - S);
    v = clamp(v, -(1 << 29u), 1 << 29u) + clamp(rt, -(1 << 29u), 1 << 29u);
  }
  v = (v + HALF_S) >> S;
  v = clamp(v, -(1 << 24u), 1 << 24u) + u.z_out;
  if (LUT != 0u) { return lut_lookup(v); }
  return clamp(v, u.q_lo, u.q_hi);
}

fn pack_i8x4(v: vec4<i32>) -> u32 {
  let b = bitcast<vec4<u32>>(v) & vec4<u32>(0xffu);
  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
}

// Four channels' i32 values at S fractional bits -> one packed int8 output word. `res_word` is the residual's
// packed word for the same pixel and channels.
fn requant_word(t: vec4<i32>, res_word: u32) -> u32 {
  let r = unpack4(res_word);
  return pack_i8x4(vec4<i32>(requant_tail(t.x, r.x), requant_tail(t.y, r.y), requant_tail(t.z, r.z), requant_tail(t.w, r.w)));
}
