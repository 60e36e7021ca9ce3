// Strided copy of 32-bit words over an index space of rank <= 6 (unused dims have size 1):
//   output[dst_offset + sum_d c_d * dst_stride[d]] = input[src_offset + sum_d c_d * src_stride[d]]
// for every coordinate c of `shape`, the last dim varying fastest. Strides are signed (negative-step slices).
// A bit copy, so one kernel serves f32, i32 and packed int8 words: Slice, Transpose, Concat and Split are all
// this kernel with different strides and offsets (see slice.ts, transpose.ts, concat.ts, split.ts).
struct U {
  shape: array<vec4u, 2>,
  src_stride: array<vec4i, 2>,
  dst_stride: array<vec4i, 2>,
  n: u32,
  src_offset: i32,
  dst_offset: i32,
  _p: u32,
}

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var rem = i;
  var src = u.src_offset;
  var dst = u.dst_offset;
  for (var d = 5u; d < 6u; d--) { // wraps to 0xffffffff after d = 0
    let size = u.shape[d / 4u][d % 4u];
    let c = i32(rem % size);
    rem /= size;
    src += c * u.src_stride[d / 4u][d % 4u];
    dst += c * u.dst_stride[d / 4u][d % 4u];
  }
  output[dst] = input[src];
}
