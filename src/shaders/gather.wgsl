// ONNX Gather along one axis on 32-bit words. The data is viewed as [outer, len, inner] (axis in the middle),
// the indices (i32, any shape, flattened to k entries) replace the axis: output [outer, k, inner].
// Negative indices count from the end; out-of-range indices are clamped (ONNX calls them an error).
struct U { n: u32, len: u32, k: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;
@group(0) @binding(3) var<uniform> u: U;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let s = i % u.inner;
  let j = (i / u.inner) % u.k;
  let o = i / (u.inner * u.k);
  var idx = indices[j];
  if (idx < 0) { idx += i32(u.len); }
  let row = u32(min(max(idx, 0), i32(u.len) - 1));
  output[i] = input[(o * u.len + row) * u.inner + s];
}
