// f32 -> packed int8 activations, per-tensor, as ONNX QuantizeLinear: q = clamp(roundHalfEven(fl32(x / scale)) + zp,
// -128, 127), computed exactly in integers from the bits (quantize-div.wgsl, appended).
//
// Output layout (rows = N*H*W for NHWC images, or the product of all but the last axis):
//   word r*CW + j = | byte 3: ch 4j+3 | byte 2: ch 4j+2 | byte 1: ch 4j+1 | byte 0: ch 4j |   CW = ceil(C/4)
// Padding lanes (channel >= C) hold zp, i.e. the real value 0.
// Input: channels-last [rows, C] f32, or channels-first [outer, C, inner] (NCHW, rows = outer*inner) when
// CHANNELS_FIRST, which fuses the NCHW -> NHWC conversion of a model input.
// Channels-last input rows are `stride` floats wide and this kernel reads channels [offset, offset + c) of them
// (a Split along channels; stride = c, offset = 0 otherwise).
struct U { words: u32, c: u32, cw: u32, inner: u32, scale_bits: u32, zp: i32, stride: u32, offset: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>; // f32 bits
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;
override CHANNELS_FIRST: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.words) { return; }
  let row = i / u.cw;
  let j = i % u.cw;
  var r = 0u;
  for (var k = 0u; k < 4u; k++) {
    let c = j * 4u + k;
    var q = u.zp;
    if (c < u.c) {
      var idx = row * u.stride + u.offset + c;
      if (CHANNELS_FIRST) { idx = ((row / u.inner) * u.c + c) * u.inner + row % u.inner; }
      q = quantize_div(input[idx], u.scale_bits, u.zp, -128, 127);
    }
    r |= (bitcast<u32>(q) & 0xffu) << (k * 8u);
  }
  output[i] = r;
}
