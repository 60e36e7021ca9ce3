// 1x1 stride-1 unpadded Conv2D with one group, i.e. GEMM: output[pix][co] = sum_k input[pix][k] * W[k][co].
// Also the GEMM / MatMul kernel (gemm_f32.ts): pixels = M rows, cin = K, cout = N; workgroup z = batch,
// with per-batch weights when u.w_batch != 0 (batch b reads weight "group" b).
// Register-tiled like conv2d_f32_reg.wgsl: TM rows x TN4 vec4 columns per invocation, no barriers.
override WG: u32 = 64u;
override TM: u32 = 4u;   // 1..8
override TN4: u32 = 2u;  // 1..4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * WG;
  let cblocks = (u.cg4 + TN4 - 1u) / TN4;
  let c4 = (t % cblocks) * TN4;
  let p0 = (t / cblocks) * TM;
  if (p0 >= u.pixels) { return; }
  let z = gid.z;
  let g = select(0u, z, u.w_batch != 0u);
  let base = z * u.pixels;

  var off: array<u32, 8>;
  for (var i = 0u; i < TM; i++) { off[i] = (base + min(p0 + i, u.pixels - 1u)) * u.cin; }
  var acc: array<vec4f, 32>;
  var ws: array<vec4f, 4>;
  for (var k = 0u; k < u.cin; k++) {
    for (var j = 0u; j < TN4; j++) { ws[j] = load_w4(g, k, min(c4 + j, u.cg4 - 1u)); }
    for (var i = 0u; i < TM; i++) {
      let x = vec4f(input[off[i] + k]);
      for (var j = 0u; j < TN4; j++) { acc[i * TN4 + j] = fma(x, ws[j], acc[i * TN4 + j]); }
    }
  }

  for (var i = 0u; i < TM; i++) {
    let p = p0 + i;
    if (p >= u.pixels) { break; }
    for (var j = 0u; j < TN4; j++) {
      for (var l = 0u; l < 4u; l++) {
        let co = (c4 + j) * 4u + l;
        if (co < u.cout) { store(base + p, co, acc[i * TN4 + j][l]); }
      }
    }
  }
}
