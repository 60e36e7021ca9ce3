// W4A8 convolution as an implicit GEMM with workgroup-memory tiles (groups == 1): conv2d_int_smem.wgsl's tiling,
// with the int4 weights unpacked while staging (one W4 vec4 -> two int8 weight rows holding 16 * w per byte, as in
// conv2d_w4a8.wgsl) and conv2d_w4a8's exact per-group scaling: the i32 sums of a quant group are scaled by its
// fixed-point multiplier into an accumulator at the output scale with S fractional bits when the group ends.
// The builder checks that every group ends at the end of a stage. Appended: conv2d_int_w4_nibbles.wgsl, an input loader
// (conv2d_int_smem_in_*.wgsl), conv2d_int_common.wgsl, conv2d_int_dot_*.wgsl, fixedpoint.wgsl, requant.wgsl,
// activation.wgsl.
// Bindings 1..7 (weights, chan, qgroups, residual, lut, output, u): conv2d_int_bindings_w4.wgsl, appended.

override WG: u32 = 256u;
override WGN: u32 = 16u;
override WGM: u32 = 16u;
override TN4: u32 = 1u;
override BK: u32 = 8u;  // even: a W4 word covers two reduction words

var<workgroup> xs: array<vec4<u32>, WGM * BK>;
var<workgroup> wt: array<vec4<u32>, BK * WGN * TN4>;
var<workgroup> org: array<vec3<i32>, WGM * 4u>;

// mulShiftRound(isum / 16, m_g, r_g - S) per lane of block ocb for quant group g (16 * w sums divide exactly).
fn scale_group(isum: vec4<i32>, ocb: u32, g: u32) -> vec4<i32> {
  let oc = min(ocb, u.OC4 - 1u) * 4u;
  let q0 = qgroups[min(oc, u.OC - 1u) * u.NG + g];
  let q1 = qgroups[min(oc + 1u, u.OC - 1u) * u.NG + g];
  let q2 = qgroups[min(oc + 2u, u.OC - 1u) * u.NG + g];
  let q3 = qgroups[min(oc + 3u, u.OC - 1u) * u.NG + g];
  let s = isum >> vec4(4u);
  return vec4<i32>(mul_shift_round(s.x, q0.x, q0.y - S), mul_shift_round(s.y, q1.x, q1.y - S),
                   mul_shift_round(s.z, q2.x, q2.y - S), mul_shift_round(s.w, q3.x, q3.y - S));
}

fn bias_fixed(ocb: u32) -> vec4<i32> {
  let oc = min(ocb, u.OC4 - 1u) * 4u;
  return vec4<i32>(bitcast<i32>(chan[min(oc, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 1u, u.OC - 1u)].x),
                   bitcast<i32>(chan[min(oc + 2u, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 3u, u.OC - 1u)].x));
}

fn store_w4(m: u32, ocb: u32, t: vec4<i32>) {
  if (m >= u.M || ocb >= u.OC4) { return; }
  var rw = 0u;
  if (u.RES != 0u) { rw = residual[m * u.OC4 + ocb]; }
  output[m * u.OC4 + ocb] = requant_word(t, rw);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let BM = 4u * WGM;
  let BN4 = TN4 * WGN;
  let tile = out_tile(wid.x + wid.y * nwg.x, BM, BN4);
  if (!tile.live) { return; }
  let bm0 = tile.m0;
  let bb0 = tile.ocb0;
  let tx = li % WGN;
  let ty = li / WGN;
  let ob0 = bb0 + tx;

  for (var r = li; r < BM; r += WG) {
    org[r] = select(vec3<i32>(-(1 << 20), 0, 0), pixel_origin(bm0 + r), bm0 + r < u.M);
  }
  // f: scaled accumulators (output scale, S fractional bits); s: i32 sums of the current quant group. Index
  // i * 2 + j for pixel i, block j. (Loops, not named registers: per-group scaling is rare, and unrolled it makes
  // a shader too large for some compilers.)
  var f: array<vec4<i32>, 8>;
  var s: array<vec4<i32>, 8>;
  for (var j = 0u; j < TN4; j++) {
    let b = bias_fixed(ob0 + j * WGN);
    for (var i = 0u; i < 4u; i++) { f[i * 2u + j] = b; }
  }
  workgroupBarrier();

  let chunks = (u.KWR + BK - 1u) / BK;
  let gwords = 2u * u.GW;  // reduction words per quant group
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      let tap = kh * u.KW + kw;
      for (var c = 0u; c < chunks; c++) {
        let c0 = c * BK;
        for (var e = li; e < BM * BK / 4u; e += WG) {
          xs[e] = load_x4(org[e % BM], kh, kw, c0 + 4u * (e / BM));
        }
        // One W4 vec4 -> weight rows 2p and 2p + 1 of the stage.
        for (var e = li; e < (BK / 2u) * BN4; e += WG) {
          let p = e / BN4;
          let b = e % BN4;
          let ob = bb0 + b;
          var w = vec4<u32>(0u);
          if (c0 + 2u * p < u.KWR && ob < u.OC4) { w = weights[((tap * u.KWR + c0) / 2u + p) * u.OC4 + ob]; }
          wt[(2u * p) * BN4 + b] = nibbles_lo(w);
          wt[(2u * p + 1u) * BN4 + b] = nibbles_hi(w);
        }
        workgroupBarrier();
        for (var q = 0u; q < BK / 4u; q++) {
          var x: array<vec4<u32>, 4>;
          for (var i = 0u; i < 4u; i++) { x[i] = xs[q * BM + ty + i * WGM]; }
          for (var l = 0u; l < 4u; l++) {
            for (var j = 0u; j < TN4; j++) {
              let w = wt[(q * 4u + l) * BN4 + tx + j * WGN];
              for (var i = 0u; i < 4u; i++) { s[i * 2u + j] += dot4x4(x[i][l], w); }
            }
          }
        }
        workgroupBarrier();
        let done = tap * u.KWR + min(c0 + BK, u.KWR);  // reduction words consumed
        if (done % gwords == 0u || done == u.KH * u.KW * u.KWR) {
          let g = (done - 1u) / gwords;
          for (var j = 0u; j < TN4; j++) {
            for (var i = 0u; i < 4u; i++) {
              f[i * 2u + j] += scale_group(s[i * 2u + j], ob0 + j * WGN, g);
              s[i * 2u + j] = vec4<i32>(0);
            }
          }
        }
      }
    }
  }
  for (var j = 0u; j < TN4; j++) {
    for (var i = 0u; i < 4u; i++) { store_w4(bm0 + ty + i * WGM, ob0 + j * WGN, f[i * 2u + j]); }
  }
}
