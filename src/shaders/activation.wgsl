// Fused activation, selected by override constants (see activation.ts). Appended to kernels that fuse one.
override ACT: u32 = 0u;
override ACT_A: f32 = 0.0;
override ACT_B: f32 = 0.0;

// Needs nan.wgsl: every branch returns NaN for NaN input, as onnxruntime does (max/min/exp alone may swallow it).
fn activate(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  switch ACT {
    case 1u: { return max(x, 0.0); }
    case 2u: { return min(max(x, ACT_A), ACT_B); } // not clamp(): overrides are const-evaluated and low>high errors
    case 8u: { return min(x, ACT_B); } // Clip with min = -inf (overrides must be finite)
    case 9u: { return max(x, ACT_A); } // Clip with max = +inf
    case 3u: { return select(x * ACT_A, x, x >= 0.0); }
    case 4u: { return ort_logistic_fast(x); }
    case 5u: { return x * ort_logistic_fast(x); } // SiLU as onnxruntime runs it: Sigmoid, then Mul
    case 10u: { return ort_logistic(x); }
    case 11u: { return x * ort_logistic(x); }
    case 6u: { return clamp(ACT_A * x + ACT_B, 0.0, 1.0); }
    case 7u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    default: { return x; }
  }
}

// Sigmoid exactly as onnxruntime's CPU provider computes it (MLAS MlasLogisticKernelFma3, the same rational
// polynomial as Eigen): clamp to [-18, 18], p(v) / q(v) with fused multiply-adds, + 0.5, max with 0 (no min with
// 1: onnxruntime returns 1.0000001 near v = 18). A QDQ model quantizes this value, so an approximation that is
// one ulp off (1 / (1 + exp(-x)), ~60% of inputs) moves a code wherever the value sits near a rounding boundary.
// WGSL's fma() may round twice (SwiftShader's does), so the fused steps are integer arithmetic (fma_pos);
// test/qdq-sigmoid.test.ts checks the bits against onnxruntime.
// The same formula with WGSL's fma() and division (codes 4, 5): bit-exact where fma() is fused and the division
// correctly rounded; SwiftShader's fma() rounds twice (an ulp off on ~30% of inputs, 1 / (1 + exp(-x)) is on
// ~60%). ort_logistic (codes 10, 11) is exact everywhere but ~10x the arithmetic: 3.7x the run time of
// YOLOX-nano int8 on SwiftShader, where every conv epilogue is a SiLU.
fn ort_logistic_fast(x: f32) -> f32 {
  let v = min(max(x, -18.0), 18.0);
  let v2 = v * v;
  var acc = vec2<f32>(4.37031012579801e-11, 6.10247389755681e-13);
  for (var i = 0u; i < 9u; i++) {
    let k = select(1u, 0u, i < 4u);
    acc[k] = fma(acc[k], v2, LOGISTIC_C[i]);
  }
  return max(acc.x * v / acc.y + 0.5, 0.0);
}

// MLAS's coefficients after the leading ones: alpha_7 .. alpha_1 of P, then beta_8 .. beta_0 of Q.
const LOGISTIC_C = array<f32, 9>(1.15627324459942e-07, 6.08574864600143e-05, 8.51377133304701e-03,
  2.48287947061529e-01, 5.76102136993427e-09, 6.29106785017040e-06, 1.70198817374094e-03, 1.16817656904453e-01,
  9.93151921023180e-01);

fn ort_logistic(x: f32) -> f32 {
  let v = min(max(x, -18.0), 18.0);
  let v2 = v * v;
  // Horner steps p = p * v2 + c (4) then q = q * v2 + c (5), from alpha_9 and beta_10. One loop, one call site:
  // every fused epilogue inlines this per tile position, and fma_pos is long.
  var acc = vec2<f32>(4.37031012579801e-11, 6.10247389755681e-13);
  for (var i = 0u; i < 9u; i++) {
    let k = select(1u, 0u, i < 4u);
    acc[k] = fma_pos(acc[k], v2, LOGISTIC_C[i]);
  }
  return max(div_rne(acc.x * v, acc.y) + 0.5, 0.0);
}

// a / b correctly rounded (IEEE, to nearest even) for b positive normal: WGSL's f32 division may be 2.5 ulp off.
// The mantissa quotient is a 24-bit integer division (as quantize_div); a quotient below the normal range falls
// back to the native division (|a / b| < 2^-126, far below any quantization step).
fn div_rne(a: f32, b: f32) -> f32 {
  let ab = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let ea = i32((ab >> 23u) & 0xffu);
  if (ea == 0 || ea == 255) { return a / b; } // zero, subnormal, inf, NaN
  let ma = (ab & 0x7fffffu) | 0x800000u;
  let mb = (bb & 0x7fffffu) | 0x800000u;
  var e = ea - i32((bb >> 23u) & 0xffu);
  var r = ma;
  if (ma < mb) { r = ma << 1u; e -= 1; }
  var q = r / mb;
  var rem = r - q * mb;
  rem <<= 8u; q = (q << 8u) | (rem / mb); rem = rem % mb;
  rem <<= 8u; q = (q << 8u) | (rem / mb); rem = rem % mb;
  rem <<= 7u; q = (q << 7u) | (rem / mb); rem = rem % mb;
  let r2 = rem << 1u;
  if (r2 > mb || (r2 == mb && (q & 1u) != 0u)) { q += 1u; }
  if (q == 0x1000000u) { q = 0x800000u; e += 1; }
  let biased = e + 127;
  if (biased <= 0 || biased >= 255) { return a / b; }
  return bitcast<f32>((ab & 0x80000000u) | (u32(biased) << 23u) | (q & 0x7fffffu));
}

// a * b + c rounded once (to nearest even), for a, b, c >= 0 finite and c normal: every step of ort_logistic
// (v^2 and MLAS's coefficients are positive). a * b below 2^-126 is dropped: next to c >= 5e-9 it is far below
// half an ulp. Both terms go to a 64-bit (hi, lo) integer with the leading bit at 61..62, the smaller shifted right
// with a sticky bit, then the sum keeps 24 bits.
//   P = ma * mb (48 bits) << 15, unit 2^(ea + eb - 315);   C = mc << 39, unit 2^(ec - 189)   (biased exponents)
fn fma_pos(a: f32, b: f32, c: f32) -> f32 {
  let ab = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let cb = bitcast<u32>(c);
  let ea = i32(ab >> 23u);
  let eb = i32(bb >> 23u);
  let ec = i32(cb >> 23u);
  if (ea == 0 || eb == 0) { return c; }
  let ma = (ab & 0x7fffffu) | 0x800000u;
  let mb = (bb & 0x7fffffu) | 0x800000u;
  let mc = (cb & 0x7fffffu) | 0x800000u;
  // 24 x 24 bits by 16-bit limbs
  let a1 = ma >> 16u;
  let a0 = ma & 0xffffu;
  let b1 = mb >> 16u;
  let b0 = mb & 0xffffu;
  let mid = a1 * b0 + a0 * b1;
  let low = a0 * b0;
  let pl0 = low + (mid << 16u);
  let ph0 = a1 * b1 + (mid >> 16u) + select(0u, 1u, pl0 < low);
  var ph = (ph0 << 15u) | (pl0 >> 17u);
  var pl = pl0 << 15u;
  var ch = mc << 7u;
  var cl = 0u;
  let ep = ea + eb - 315;
  let ecu = ec - 189;
  var unit = ep;
  var sticky = false;
  if (ep > ecu) {
    let s = shr64_sticky(ch, cl, u32(ep - ecu));
    ch = s.x; cl = s.y; sticky = s.z != 0u;
  } else {
    let s = shr64_sticky(ph, pl, u32(ecu - ep));
    ph = s.x; pl = s.y; sticky = s.z != 0u;
    unit = ecu;
  }
  let l = pl + cl;
  let h = ph + ch + select(0u, 1u, l < pl);
  // h >= 2^29: keep bits [lead .. lead - 23] of h, round on the rest of h, then l and the sticky bit
  let kk = firstLeadingBit(h) - 23u;
  var m = h >> kk;
  let r = h & ((1u << kk) - 1u);
  let half = 1u << (kk - 1u);
  let rest = l != 0u || sticky;
  if (r > half || (r == half && (rest || (m & 1u) != 0u))) { m += 1u; }
  var e = unit + i32(kk) + 32 + 23;
  if (m == 0x1000000u) { m = 0x800000u; e += 1; }
  return bitcast<f32>((u32(e + 127) << 23u) | (m & 0x7fffffu));
}

// (hi, lo) >> s as (hi, lo, sticky): sticky is nonzero when a 1 bit was shifted out. WGSL masks shift amounts to
// 5 bits, so shifts by 32 or more are split.
fn shr64_sticky(h: u32, l: u32, s: u32) -> vec3u {
  if (s == 0u) { return vec3u(h, l, 0u); }
  if (s >= 64u) { return vec3u(0u, 0u, h | l); }
  if (s < 32u) { return vec3u(h >> s, (l >> s) | (h << (32u - s)), l << (32u - s)); }
  let t = s - 32u;
  if (t == 0u) { return vec3u(0u, h, l); }
  return vec3u(0u, h >> t, l | (h << (32u - t)));
}
