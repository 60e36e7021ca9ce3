// f32 -> int8 or int4, per-channel or per-tensor, flat packing (weights; no channel padding):
//   q = clamp(roundHalfEven(fl32(x / qparams[ch].x)) + qparams[ch].y, qmin, qmax)   (ONNX QuantizeLinear, exact:
//   quantize-div.wgsl, appended)
// Input is row-major [outer, C, inner]; element e has channel (e / inner) % C; qparams[ch] = (1/scale, zp)
// (scale as f32 bits, zero point). Per-tensor: per_channel = 0, one entry.
// Packing, BITS = 8: word j byte k = element 4j+k. BITS = 4: word j bits 4k..4k+3 = element 8j+k (two's
// complement nibble):
//   | e8j+7 | e8j+6 | e8j+5 | e8j+4 | e8j+3 | e8j+2 | e8j+1 | e8j+0 |   (bit 31 ... bit 0)
// Lanes past the last element are 0.
struct U { words: u32, n: u32, c: u32, inner: u32, per_channel: u32, qmin: i32, qmax: i32, _p: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>; // f32 bits
@group(0) @binding(1) var<storage, read> qparams: array<vec2i>; // (scale bits, zero point)
@group(0) @binding(2) var<storage, read_write> output: array<u32>;
@group(0) @binding(3) var<uniform> u: U;

override WG: u32 = 256u;
override BITS: u32 = 8u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.words) { return; }
  let per = 32u / BITS;
  let mask = (1u << BITS) - 1u;
  var r = 0u;
  for (var k = 0u; k < per; k++) {
    let e = i * per + k;
    if (e >= u.n) { break; }
    let p = qparams[((e / u.inner) % u.c) * u.per_channel];
    let q = quantize_div(input[e], bitcast<u32>(p.x), p.y, u.qmin, u.qmax);
    r |= (bitcast<u32>(q) & mask) << (k * BITS);
  }
  output[i] = r;
}
