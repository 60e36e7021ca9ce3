// Pooling on packed int8 NHWC (channels padded to 4, four per u32; see quantize.wgsl), one thread per output
// word (4 channels). Window geometry as in pool.wgsl. KIND:
//   0 max: per-lane max of the int8 values (no rescale; output qparams = input qparams)
//   1 avg: same qparams in and out; out = zp + rdiv(sum(q - zp), count), rdiv rounds half to even (as ONNX
//          QuantizeLinear rounds the float average)
//   2 avg with rescale (GlobalAveragePool, or any window whose count never varies):
//          out = clamp(zp_out + mul_shift_round(sum(q - zp), m0, r)),  m0 / 2^r ~= scale_in / (scale_out * count)
// Padding lanes are computed like the others (zp in gives zp/zp_out out). requantize-math.wgsl is appended.
struct U {
  n: u32, h: u32, w: u32, cw: u32,
  oh: u32, ow: u32, kh: u32, kw: u32,
  sh: u32, sw: u32, dh: u32, dw: u32,
  pad_top: i32, pad_left: i32, h_end: i32, w_end: i32,
  zp: i32, zp_out: i32, m0: u32, r: u32,
}

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 64u;
override KIND: u32 = 0u;
override COUNT_PAD: bool = false;

// round(s / n) with ties away from zero, in integers (WGSL i32 division truncates toward zero)
fn rdiv(s: i32, n: i32) -> i32 {
  // floor division, then the remainder decides: above half up, exactly half to the even quotient
  var q = s / n;
  var r = s - q * n;
  if (r < 0) { q -= 1; r += n; }
  if (2 * r > n || (2 * r == n && (q & 1) != 0)) { q += 1; }
  return q;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let j = i % u.cw;
  let ox = (i / u.cw) % u.ow;
  let oy = (i / (u.cw * u.ow)) % u.oh;
  let b = i / (u.cw * u.ow * u.oh);
  let y0 = i32(oy * u.sh) - u.pad_top;
  let x0 = i32(ox * u.sw) - u.pad_left;
  var m = vec4i(-128);
  var sum = vec4i(0);
  var count = 0;
  for (var ky = 0u; ky < u.kh; ky++) {
    let y = y0 + i32(ky * u.dh);
    for (var kx = 0u; kx < u.kw; kx++) {
      let x = x0 + i32(kx * u.dw);
      if (y >= 0 && y < i32(u.h) && x >= 0 && x < i32(u.w)) {
        let wd = input[((b * u.h + u32(y)) * u.w + u32(x)) * u.cw + j];
        let q = vec4i(lane_i8(wd, 0u), lane_i8(wd, 1u), lane_i8(wd, 2u), lane_i8(wd, 3u));
        m = max(m, q);
        sum += q - vec4i(u.zp);
        count += 1;
      } else if (COUNT_PAD && y < u.h_end && x < u.w_end) {
        count += 1;
      }
    }
  }
  var r = 0u;
  for (var k = 0u; k < 4u; k++) {
    var q = m[k];
    if (KIND == 1u) { q = u.zp + rdiv(sum[k], max(count, 1)); }
    if (KIND == 2u) { q = u.zp_out + mul_shift_round(sum[k], u.m0, u.r); }
    r |= to_lane(min(max(q, -128), 127), k);
  }
  output[i] = r;
}
