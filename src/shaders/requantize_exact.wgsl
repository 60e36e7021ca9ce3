// DequantizeLinear then QuantizeLinear of packed int8 (four per u32, layout in quantize.wgsl), exactly as ONNX
// computes them: x = fl32(f32(q - zp_in) * scale_in) (one rounding, as dequantize.wgsl), then
// roundHalfEven(fl32(x / scale_out)) + zp_out saturated to [-128, 127] (quantize_div, appended). The same bits as a
// dequantize kernel followed by a quantize kernel, in one pass and without the f32 tensor between them.
//
// Input rows hold `cw` words; output rows hold `stride` words and this kernel writes words [offset, offset + cw)
// of each (its part of a Concat along packed channels). Padding lanes (zp_in) become 0.0 and then zp_out.
struct U { n: u32, cw: u32, stride: u32, offset: u32, zp_in: i32, scale_in: f32, out_bits: u32, zp_out: i32 }

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let w = bitcast<i32>(input[i]);
  var r = 0u;
  for (var k = 0u; k < 4u; k++) {
    let x = f32(extractBits(w, k * 8u, 8u) - u.zp_in) * u.scale_in;
    let q = quantize_div(bitcast<u32>(x), u.out_bits, u.zp_out, -128, 127);
    r |= (bitcast<u32>(q) & 0xffu) << (k * 8u);
  }
  output[(i / u.cw) * u.stride + u.offset + i % u.cw] = r;
}
