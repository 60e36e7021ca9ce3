// ONNX QuantizeLinear of one float32, exactly: roundHalfEven(fl32(x / scale)) + zp, saturated to [lo, hi].
// WGSL's f32 division may be 2.5 ulp off and x * (1 / scale) is not x / scale either, so the quotient is computed
// in integers from the bits: a 24-bit division of the mantissas gives the correctly rounded f32 quotient
// (round to nearest even, as IEEE division), which is then rounded half to even to an integer. No float
// operation is involved, so every GPU gives the bits the CPU does (src/quant/onnx-qdq.ts).
// `s_bits` is a positive normal scale (checked on the host). NaN gives zp (the kernel cannot raise).

fn quantize_div(x_bits: u32, s_bits: u32, zp: i32, lo: i32, hi: i32) -> i32 {
  let neg = (x_bits >> 31u) != 0u;
  let ex = i32((x_bits >> 23u) & 0xffu);
  var mx = x_bits & 0x7fffffu;
  if (ex == 255) {
    if (mx != 0u) { return clamp(zp, lo, hi); }   // NaN
    return select(hi, lo, neg);                   // +-inf saturates
  }
  if (ex == 0 && mx == 0u) { return clamp(zp, lo, hi); }
  // x = mx * 2^(e - 23) with mx in [2^23, 2^24) (subnormals normalized)
  var e = ex - 127;
  if (ex == 0) {
    let shift = 23u - firstLeadingBit(mx);
    mx <<= shift;
    e = -126 - i32(shift);
  } else {
    mx |= 0x800000u;
  }
  let ms = (s_bits & 0x7fffffu) | 0x800000u;
  e -= i32((s_bits >> 23u) & 0xffu) - 127;
  // ratio mx / ms in [1, 2) after one doubling when mx < ms
  var r = mx;
  if (mx < ms) { r = mx << 1u; e -= 1; }
  // q = floor(r * 2^23 / ms), 24 bits: the leading 1, then 8 + 8 + 7 bits by exact u32 division (the remainder
  // stays below ms < 2^24, so remainder << 8 fits u32). Short code matters: the conv epilogue inlines it per tile.
  var q = r / ms;
  var rem = r - q * ms;
  rem <<= 8u; q = (q << 8u) | (rem / ms); rem = rem % ms;
  rem <<= 8u; q = (q << 8u) | (rem / ms); rem = rem % ms;
  rem <<= 7u; q = (q << 7u) | (rem / ms); rem = rem % ms;
  // q in [2^23, 2^24) is the quotient's mantissa; remainder fraction rem / ms: round to nearest even
  let r2 = rem << 1u;
  if (r2 > ms || (r2 == ms && (q & 1u) != 0u)) { q += 1u; }
  if (q == 0x1000000u) { q = 0x800000u; e += 1; }
  // |x / s| = q * 2^(e - 23); round half to even to an integer
  var n = 0u;
  if (e >= 31) {
    n = 0x80000000u;
  } else if (e >= 23) {
    n = q << u32(e - 23);
  } else if (e >= -2) {
    let k = u32(23 - e);                  // 1..25
    let half = 1u << (k - 1u);
    let rem = q & ((1u << k) - 1u);
    n = q >> k;
    if (rem > half || (rem == half && (n & 1u) != 0u)) { n += 1u; }
  }
  let v = i32(min(n, 0x1000000u));
  return clamp(select(v, -v, neg) + zp, lo, hi);
}
