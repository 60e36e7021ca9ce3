// W8A8 convolution, barrier-free register tile: each invocation computes TM output pixels x TN4 blocks of 4
// output channels, sharing every loaded input word across the block's channels and every weight vec4 across the
// pixels. Layouts: see conv2d_w8a8.ts (weights), conv2d_int_common.ts (reduction order). Appended by the builder:
// conv2d_int_common.wgsl, conv2d_int_dot_{packed,fallback}.wgsl, requant.wgsl, activation.wgsl.
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> chan: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> residual: array<u32>;
@group(0) @binding(4) var<storage, read> lut: array<u32>;
@group(0) @binding(5) var<storage, read_write> output: array<u32>;
@group(0) @binding(6) var<uniform> u: IntConvU;

override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation, 1..4
override TN4: u32 = 1u;  // blocks of 4 output channels per invocation, 1..2

fn dot4x4(x: u32, w: vec4<u32>) -> vec4<i32> {
  return vec4<i32>(dot4(x, w.x), dot4(x, w.y), dot4(x, w.z), dot4(x, w.w));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tid = gid.x + gid.y * nwg.x * WG;
  let ot = tid % u.OC_TILES;
  let mt = tid / u.OC_TILES;
  if (mt >= u.M_TILES) { return; }
  let ocb0 = ot * TN4;
  let m0 = mt * TM;
  let ws = window_start(ocb0);

  // acc[i * 2 + j]: pixel i, channel block j; starts at the folded bias (bias_q - z_in * sum(w)).
  var acc: array<vec4<i32>, 8>;
  var org: array<vec3<i32>, 4>;
  for (var j = 0u; j < TN4; j++) {
    let oc = min((ocb0 + j) * 4u, (u.OC4 - 1u) * 4u);
    let bias = vec4<i32>(bitcast<i32>(chan[min(oc, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 1u, u.OC - 1u)].x),
                         bitcast<i32>(chan[min(oc + 2u, u.OC - 1u)].x), bitcast<i32>(chan[min(oc + 3u, u.OC - 1u)].x));
    for (var i = 0u; i < TM; i++) { acc[i * 2u + j] = bias; }
  }
  for (var i = 0u; i < TM; i++) { org[i] = pixel_origin(m0 + i); }

  var wrow = 0u;
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      var base: array<i32, 4>;
      for (var i = 0u; i < TM; i++) { base[i] = tap_base(org[i], kh, kw, ws); }
      for (var cw = 0u; cw < u.KWIN; cw++) {
        var x: array<u32, 4>;
        for (var i = 0u; i < TM; i++) {
          // Padding reads as the input zero point (z_in in every byte), matching the folded bias.
          x[i] = select(u.ZP_WORD, input[u32(max(base[i], 0)) + cw], base[i] >= 0);
        }
        for (var j = 0u; j < TN4; j++) {
          let w = weights[wrow * u.OC4 + min(ocb0 + j, u.OC4 - 1u)];
          for (var i = 0u; i < TM; i++) { acc[i * 2u + j] += dot4x4(x[i], w); }
        }
        wrow++;
      }
    }
  }

  for (var j = 0u; j < TN4; j++) {
    let ocb = ocb0 + j;
    if (ocb >= u.OC4) { break; }
    var mult: array<vec4<u32>, 4>;
    for (var l = 0u; l < 4u; l++) { mult[l] = chan[min(ocb * 4u + l, u.OC - 1u)]; }
    for (var i = 0u; i < TM; i++) {
      let m = m0 + i;
      if (m >= u.M) { break; }
      let a = acc[i * 2u + j];
      if (DEQ != 0u) {
        for (var l = 0u; l < 4u; l++) {
          let oc = ocb * 4u + l;
          if (oc < u.OC) { output[m * u.OC + oc] = bitcast<u32>(activate(f32(a[l]) * bitcast<f32>(mult[l].w))); }
        }
      } else {
        let t = vec4<i32>(mul_shift_round(a.x, mult[0].y, mult[0].z - S), mul_shift_round(a.y, mult[1].y, mult[1].z - S),
                          mul_shift_round(a.z, mult[2].y, mult[2].z - S), mul_shift_round(a.w, mult[3].y, mult[3].z - S));
        var rw = 0u;
        if (RES != 0u) { rw = residual[m * u.OC4 + ocb]; }
        output[m * u.OC4 + ocb] = requant_word(t, rw);
      }
    }
  }
}
