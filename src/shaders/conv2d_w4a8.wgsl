// W4A8 convolution, barrier-free register tile (TM pixels x TN4 blocks of 4 output channels). Each W4 word holds
// eight int4 weights of one output channel (two packed input words of the reduction); per quant group the i32
// partial sums are scaled by that group's fixed-point multiplier into an accumulator at the output scale with S
// fractional bits (exact integer math, see conv2d_int_pack_w4.ts). Appended: conv2d_int_w4_nibbles.wgsl, conv2d_int_common.wgsl,
// conv2d_int_dot_*.wgsl, requant.wgsl, activation.wgsl.
@group(0) @binding(0) var<storage, read> input: array<u32>;
// Bindings 1..7 (weights, chan, qgroups, residual, lut, output, u): conv2d_int_bindings_w4.wgsl, appended.

override WG: u32 = 64u;
override TM: u32 = 4u;
override TN4: u32 = 1u;

// fp += mulShiftRound(isum / 16, m_g, r_g - S) per lane for quant group g; clears isum.
fn flush(fp: ptr<function, array<vec4<i32>, 8>>, isum: ptr<function, array<vec4<i32>, 8>>, ocb0: u32, g: u32) {
  for (var j = 0u; j < TN4; j++) {
    let oc = min((ocb0 + j) * 4u, (u.OC4 - 1u) * 4u);
    var q: array<vec2<u32>, 4>;
    for (var l = 0u; l < 4u; l++) { q[l] = qgroups[min(oc + l, u.OC - 1u) * u.NG + g]; }
    for (var i = 0u; i < TM; i++) {
      let s = (*isum)[i * 2u + j] >> vec4(4u);
      (*fp)[i * 2u + j] += vec4<i32>(mul_shift_round(s.x, q[0].x, q[0].y - S), mul_shift_round(s.y, q[1].x, q[1].y - S),
                                     mul_shift_round(s.z, q[2].x, q[2].y - S), mul_shift_round(s.w, q[3].x, q[3].y - S));
      (*isum)[i * 2u + j] = vec4<i32>(0);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tile = out_tile(invocation_index(gid, nwg, WG), TM, TN4);
  if (!tile.live) { return; }
  let m0 = tile.m0;
  let ocb0 = tile.ocb0;
  let ws = tile.ws;
  let last = u.C4 - 1u - ws;  // window words past the pixel's last word have zero weights: clamp the read

  var fp: array<vec4<i32>, 8>;
  var isum: array<vec4<i32>, 8>;
  var org: array<vec3<i32>, 4>;
  for (var j = 0u; j < TN4; j++) {
    let oc = min((ocb0 + j) * 4u, (u.OC4 - 1u) * 4u);
    let bias = vec4<i32>(bitcast<i32>(chan[min(oc, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 1u, u.OC - 1u)].x),
                         bitcast<i32>(chan[min(oc + 2u, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 3u, u.OC - 1u)].x));
    for (var i = 0u; i < TM; i++) { fp[i * 2u + j] = bias; }
  }
  for (var i = 0u; i < TM; i++) { org[i] = pixel_origin(m0 + i); }

  var wrow = 0u;
  var cnt = 0u;
  var grp = 0u;
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      var base: array<i32, 4>;
      for (var i = 0u; i < TM; i++) { base[i] = tap_base(org[i], kh, kw, ws); }
      for (var cw = 0u; cw < u.KWR; cw += 2u) {
        let c0 = min(cw, last);
        let c1 = min(cw + 1u, last);
        var x0: array<u32, 4>;
        var x1: array<u32, 4>;
        for (var i = 0u; i < TM; i++) {
          let b = u32(max(base[i], 0));
          x0[i] = select(u.ZP_WORD, input[b + c0], base[i] >= 0);
          x1[i] = select(u.ZP_WORD, input[b + c1], base[i] >= 0);
        }
        for (var j = 0u; j < TN4; j++) {
          let w = weights[wrow * u.OC4 + min(ocb0 + j, u.OC4 - 1u)];
          let lo = nibbles_lo(w);
          let hi = nibbles_hi(w);
          for (var i = 0u; i < TM; i++) { isum[i * 2u + j] += dot4x4(x0[i], lo) + dot4x4(x1[i], hi); }
        }
        wrow++;
        cnt++;
        if (cnt == u.GW) {
          flush(&fp, &isum, ocb0, grp);
          grp++;
          cnt = 0u;
        }
      }
    }
  }
  if (cnt > 0u) { flush(&fp, &isum, ocb0, grp); }

  for (var j = 0u; j < TN4; j++) {
    let ocb = ocb0 + j;
    if (ocb >= u.OC4) { break; }
    for (var i = 0u; i < TM; i++) {
      let m = m0 + i;
      if (m >= u.M) { break; }
      var rw = 0u;
      if (u.RES != 0u) { rw = residual[m * u.OC4 + ocb]; }
      output[m * u.OC4 + ocb] = requant_word(fp[i * 2u + j], rw);
    }
  }
}
