// Integer requantization, bit-exact with src/quant/fixedpoint.ts and test/reference/requant.ts. No float here, so
// every GPU gives the same bytes. The kernel that appends this file declares the `lut` binding (the residual
// table) and `u` (IntConvU).
override S: u32 = 0u;      // fractional bits kept while terms are summed (FRAC_BITS for int4 groups)
override HALF_S: i32 = 0;  // 2^(S-1), or 0 when S == 0 (an override so that S == 0 is no const-eval error)
// u.RES (uniform) 1: Q -> DQ -> Add(residual) [-> activation] -> Q through the 256 x 256 table `lut`
// A uniform, not an override: one pipeline then serves the plain and residual epilogues of a tile, and a
// model compiles fewer of them (each int8 conv pipeline costs seconds to compile on SwiftShader).
override DEQ: u32 = 0u;    // 1: f32 output, activate(f32(acc) * scale + bias); 2: that, quantized (conv2d_int_store)

// Byte k of the 256 x 256-byte residual table `lut`, k in [0, 65536).
fn lut_byte(k: u32) -> i32 {
  return (bitcast<i32>(lut[k >> 2u] << (24u - 8u * (k & 3u)))) >> 24u;
}

// From a value `t` at the output scale with S fractional bits to the int8 output: round away the fractional bits
// (half to even), + zero point, then clamp (the saturation of the QuantizeLinear, narrowed by a fused
// ReLU / Clip). With RES that int8 value is the conv's own quantized output q1, and the Add of the two
// dequantized tensors and what follows it up to the next QuantizeLinear are one table entry, lut[q1][res]
// (addTable in quant/onnx-qdq.ts computes it with ONNX's float32 semantics, so it is exact by construction).
fn requant_tail(t: i32, res: i32) -> i32 {
  var v = t;
  if (S > 0u) { v = (v + HALF_S - 1 + ((v >> S) & 1)) >> S; }
  v = clamp(v, -(1 << 24u), 1 << 24u) + u.z_out;
  v = clamp(v, u.q_lo, u.q_hi);
  if (u.RES != 0u) { return lut_byte(u32(((v + 128) << 8u) + res + 128)); }
  return v;
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
