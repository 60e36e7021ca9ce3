// Depthwise int8 convolution (groups == cin == cout): no reduction across channels, so instead of dot products each
// invocation multiplies unpacked int8 lanes: TM output pixels x one packed word (4 channels). Weights pack the 4
// channels of a tap in one word (packDepthwiseW8). Appended: conv2d_int_common.wgsl, conv2d_int_dot_*.wgsl,
// requant.wgsl, activation.wgsl.
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> chan: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> residual: array<u32>;
@group(0) @binding(4) var<storage, read> lut: array<u32>;
@group(0) @binding(5) var<storage, read_write> output: array<u32>;
@group(0) @binding(6) var<uniform> u: IntConvU;

override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation, 1..4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tid = gid.x + gid.y * nwg.x * WG;
  let cb = tid % u.OC4;
  let mt = tid / u.OC4;
  if (mt >= u.M_TILES) { return; }
  let m0 = mt * TM;

  var mult: array<vec4<u32>, 4>;
  for (var l = 0u; l < 4u; l++) { mult[l] = chan[min(cb * 4u + l, u.OC - 1u)]; }
  let bias = bitcast<vec4<i32>>(vec4<u32>(mult[0].x, mult[1].x, mult[2].x, mult[3].x));
  var acc: array<vec4<i32>, 4>;
  var org: array<vec3<i32>, 4>;
  for (var i = 0u; i < TM; i++) {
    acc[i] = bias;
    org[i] = pixel_origin(m0 + i);
  }
  let zp = unpack4(u.ZP_WORD);
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      let w = unpack4(weights[(kh * u.KW + kw) * u.C4 + cb]);
      for (var i = 0u; i < TM; i++) {
        let b = tap_base(org[i], kh, kw, cb);
        let x = select(zp, unpack4(input[u32(max(b, 0))]), b >= 0);
        acc[i] += x * w;
      }
    }
  }

  for (var i = 0u; i < TM; i++) {
    let m = m0 + i;
    if (m >= u.M) { break; }
    let a = acc[i];
    if (DEQ != 0u) {
      for (var l = 0u; l < 4u; l++) {
        let oc = cb * 4u + l;
        if (oc < u.OC) { output[m * u.OC + oc] = bitcast<u32>(activate(f32(a[l]) * bitcast<f32>(mult[l].w))); }
      }
    } else {
      let t = vec4<i32>(mul_shift_round(a.x, mult[0].y, mult[0].z - S), mul_shift_round(a.y, mult[1].y, mult[1].z - S),
                        mul_shift_round(a.z, mult[2].y, mult[2].z - S), mul_shift_round(a.w, mult[3].y, mult[3].z - S));
      var rw = 0u;
      if (RES != 0u) { rw = residual[m * u.OC4 + cb]; }
      output[m * u.OC4 + cb] = requant_word(t, rw);
    }
  }
}
