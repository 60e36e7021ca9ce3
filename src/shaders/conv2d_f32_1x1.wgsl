// 1x1 stride-1 unpadded Conv2D with one group, i.e. GEMM: output[pix][co] = sum_k input[pix][k] * W[k][co].
// The runtime lowers Gemm / MatMul onto this kernel as 1x1 convs (runtime/ops/gemm.ts): pixels = M rows, cin = K.
// Register-tiled like conv2d_f32_reg.wgsl (same 4x4 named-accumulator tile, same reasons), no barriers.
// Appended: conv2d_f32_tile.wgsl (fma_row, store_tile).
override WG: u32 = 64u;
override TM: u32 = 4u;   // rows per invocation, 1..4
override TN4: u32 = 2u;  // vec4 column blocks per invocation, 1..4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * WG;
  let cblocks = (u.cg4 + TN4 - 1u) / TN4;
  let c40 = (t % cblocks) * TN4;
  let p0 = (t / cblocks) * TM;
  if (p0 >= u.pixels) { return; }
  var r = 0u; // weight row

  // Rows past the end repeat the last row, columns past the end the last vec4 (valid reads; never stored).
  let off = min(vec4u(p0) + vec4u(0u, 1u, 2u, 3u), vec4u(u.pixels - 1u)) * u.cin;
  let c = min(vec4u(c40) + vec4u(0u, 1u, 2u, 3u), vec4u(u.cg4 - 1u));

  var a00 = vec4f(0.0); var a01 = vec4f(0.0); var a02 = vec4f(0.0); var a03 = vec4f(0.0);
  var a10 = vec4f(0.0); var a11 = vec4f(0.0); var a12 = vec4f(0.0); var a13 = vec4f(0.0);
  var a20 = vec4f(0.0); var a21 = vec4f(0.0); var a22 = vec4f(0.0); var a23 = vec4f(0.0);
  var a30 = vec4f(0.0); var a31 = vec4f(0.0); var a32 = vec4f(0.0); var a33 = vec4f(0.0);
  for (var k = 0u; k < u.cin; k++) {
    let w0 = load_w4(r, c.x);
    var w1 = vec4f(0.0); var w2 = vec4f(0.0); var w3 = vec4f(0.0);
    if (TN4 > 1u) { w1 = load_w4(r, c.y); }
    if (TN4 > 2u) { w2 = load_w4(r, c.z); }
    if (TN4 > 3u) { w3 = load_w4(r, c.w); }
    var x = vec4f(input[off.x + k], 0.0, 0.0, 0.0);
    if (TM > 1u) { x.y = input[off.y + k]; }
    if (TM > 2u) { x.z = input[off.z + k]; }
    if (TM > 3u) { x.w = input[off.w + k]; }
    fma_row(x.x, w0, w1, w2, w3, &a00, &a01, &a02, &a03);
    if (TM > 1u) { fma_row(x.y, w0, w1, w2, w3, &a10, &a11, &a12, &a13); }
    if (TM > 2u) { fma_row(x.z, w0, w1, w2, w3, &a20, &a21, &a22, &a23); }
    if (TM > 3u) { fma_row(x.w, w0, w1, w2, w3, &a30, &a31, &a32, &a33); }
    r += 1u;
  }

  let acc = array<vec4f, 16>(
    a00, a01, a02, a03,
    a10, a11, a12, a13,
    a20, a21, a22, a23,
    a30, a31, a32, a33);
  store_tile(acc, p0, c40, 0u, u.cout);
}
