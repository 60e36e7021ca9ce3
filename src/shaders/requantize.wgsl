// Requantize packed int8 (four per u32, see quantize.wgsl) from (scale_in, zp_in) to (scale_out, zp_out):
//   q' = clamp(zp_out + mul_shift_round(q - zp_in, m0, r), qmin, qmax),   m0 / 2^r ~= scale_in / scale_out.
// Works word by word on any packed tensor; padded lanes are rescaled like the others (zp_in -> zp_out).
// qmin/qmax also express a fused ReLU/ReLU6 in the quantized domain. requantize-math.wgsl is appended.
struct U { n: u32, zp_in: i32, zp_out: i32, m0: u32, r: u32, qmin: i32, qmax: i32, _p: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let w = input[i];
  var r = 0u;
  for (var k = 0u; k < 4u; k++) {
    let q = u.zp_out + mul_shift_round(lane_i8(w, k) - u.zp_in, u.m0, u.r);
    r |= to_lane(min(max(q, u.qmin), u.qmax), k);
  }
  output[i] = r;
}
