// Packed int8 activations (layout in quantize.wgsl) -> f32: x = f32(q - zp) * scale, one correctly rounded
// multiply, so the CPU reference matches bit for bit. Output channels-last [rows, C] (padding dropped), or
// channels-first [outer, C, inner] when CHANNELS_FIRST (NHWC -> NCHW for a model output).
// Channels-last output rows are `stride` floats wide and this kernel writes channels [offset, offset + c) of them
// (its part of a Concat along channels; stride = c, offset = 0 otherwise).
struct U { n: u32, c: u32, cw: u32, inner: u32, scale: f32, zp: i32, stride: u32, offset: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;
override CHANNELS_FIRST: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var row = i / u.c;
  var c = i % u.c;
  var dst = row * u.stride + u.offset + c;
  if (CHANNELS_FIRST) { // i = (o * C + c) * inner + s  ->  row = o * inner + s
    let s = i % u.inner;
    c = (i / u.inner) % u.c;
    row = (i / (u.inner * u.c)) * u.inner + s;
    dst = i;
  }
  let w = input[row * u.cw + c / 4u];
  let q = extractBits(bitcast<i32>(w), (c % 4u) * 8u, 8u);
  output[dst] = f32(q - u.zp) * u.scale;
}
