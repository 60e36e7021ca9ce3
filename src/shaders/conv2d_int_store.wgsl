// Epilogue shared by conv2d_w8a8 (both families) and conv2d_int_dw: per-block channel parameters loaded once,
// then one call per (pixel, block) turns the i32 accumulators (bias folded in) into one packed int8 word, or
// four dequantized f32 values with DEQ = 1. Needs `chan`, `output`, `residual`, `u`, requant.wgsl and
// quantize-div.wgsl. With DEQ the float bias is not on the accumulator's grid: chan.y holds it as f32 (m0 and r
// are unused there), and the value is f32(acc) * s_in * s_w + bias as onnxruntime computes a dequantized conv.
// DEQ = 2 quantizes the activated value as ONNX QuantizeLinear does (exact division, half to even): a table
// indexed by a requantized intermediate cannot reproduce that for an i32 accumulator.
override FRAC_BIAS: u32 = 0u; // 1: chan.w holds the bias at the output scale with S fractional bits
struct BlockParams {
  bias: vec4<i32>,
  m0: vec4<u32>,
  r: vec4<u32>,
  deq: vec4<f32>,
}

// Channels past OC repeat the last one (valid reads; never stored).
fn block_params(ocb: u32) -> BlockParams {
  let oc = min(ocb, u.OC4 - 1u) * 4u;
  let c0 = chan[min(oc, u.OC - 1u)];
  let c1 = chan[min(oc + 1u, u.OC - 1u)];
  let c2 = chan[min(oc + 2u, u.OC - 1u)];
  let c3 = chan[min(oc + 3u, u.OC - 1u)];
  return BlockParams(bitcast<vec4<i32>>(vec4<u32>(c0.x, c1.x, c2.x, c3.x)), vec4<u32>(c0.y, c1.y, c2.y, c3.y),
                     vec4<u32>(c0.z, c1.z, c2.z, c3.z), bitcast<vec4<f32>>(vec4<u32>(c0.w, c1.w, c2.w, c3.w)));
}

fn store_block(m: u32, ocb: u32, a: vec4<i32>, p: BlockParams) {
  if (m >= u.M || ocb >= u.OC4) { return; }
  if (DEQ != 0u) {
    let v = vec4<f32>(a) * p.deq + bitcast<vec4<f32>>(p.m0);
    if (DEQ == 2u) {
      // One call site in a loop: the division is long, and store_block is inlined at every tile position.
      var q = vec4<i32>();
      for (var l = 0u; l < 4u; l++) {
        q[l] = quantize_div(bitcast<u32>(activate(v[l])), bitcast<u32>(u.s_out), u.z_out, u.q_lo, u.q_hi);
      }
      output[m * u.OC4 + ocb] = pack_i8x4(q);
      return;
    }
    for (var l = 0u; l < 4u; l++) {
      let oc = ocb * 4u + l;
      if (oc < u.OC) { output[m * u.OC + oc] = bitcast<u32>(activate(v[l])); }
    }
  } else {
    var t = vec4<i32>(mul_shift_round(a.x, p.m0.x, p.r.x - S), mul_shift_round(a.y, p.m0.y, p.r.y - S),
                      mul_shift_round(a.z, p.m0.z, p.r.z - S), mul_shift_round(a.w, p.m0.w, p.r.w - S));
    // FRAC_BIAS: the float bias at the output scale with S fractional bits sits in chan.w (the int8 epilogue has
    // no dequant scale); clamps keep the sum in i32 (far outside the int8 range either way).
    if (FRAC_BIAS != 0u) { t = clamp(t, vec4<i32>(-(1 << 30u)), vec4<i32>(1 << 30u)) + bitcast<vec4<i32>>(p.deq); }
    var rw = 0u;
    if (u.RES != 0u) { rw = residual[m * u.OC4 + ocb]; }
    output[m * u.OC4 + ocb] = requant_word(t, rw);
  }
}
