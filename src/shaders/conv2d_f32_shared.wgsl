// Conv2D, implicit GEMM tiled through workgroup memory (for discrete GPUs, where barriers are cheap and
// shared tiles save global-memory bandwidth). A workgroup of WGX x WGY invocations computes BM = TM * WGY
// output pixels x BN4 = TN4 * WGX vec4 output channels of one group, stepping the reduction BK rows at a time.
override WGX: u32 = 8u;
override WGY: u32 = 8u;
override TM: u32 = 4u;   // 1..8
override TN4: u32 = 1u;  // 1..4
override BK: u32 = 16u;

var<workgroup> a_tile: array<f32, BK * TM * WGY>;      // [BK][BM] im2col of the input
var<workgroup> b_tile: array<vec4f, BK * TN4 * WGX>;   // [BK][BN4] weights

// The input value that im2col row k / output pixel p refer to (zero in the padding).
fn gather(g: u32, k: u32, p: u32) -> f32 {
  let ci = k % u.cin_g;
  let kx = (k / u.cin_g) % u.kw;
  let ky = k / u.cin_g / u.kw;
  let ox = p % u.out_w;
  let oy = (p / u.out_w) % u.out_h;
  let n = p / u.out_w / u.out_h;
  let iy = i32(oy * u.stride_h + ky * u.dil_h) - i32(u.pad_t);
  let ix = i32(ox * u.stride_w + kx * u.dil_w) - i32(u.pad_l);
  if (iy < 0 || iy >= i32(u.h) || ix < 0 || ix >= i32(u.w)) { return 0.0; }
  return input[((n * u.h + u32(iy)) * u.w + u32(ix)) * u.cin + g * u.cin_g + ci];
}

@compute @workgroup_size(WGX, WGY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let bm = TM * WGY;
  let bn4 = TN4 * WGX;
  let wg = wid.x + wid.y * nwg.x;
  let cblocks = (u.cg4 + bn4 - 1u) / bn4;
  let c40 = (wg % cblocks) * bn4;
  let g = (wg / cblocks) % u.groups;
  let p0 = (wg / cblocks / u.groups) * bm;
  // No early return: every invocation must reach the barriers. Out-of-range tiles load zeros.

  var acc: array<vec4f, 32>;
  for (var k0 = 0u; k0 < u.kk; k0 += BK) {
    for (var e = li; e < BK * bm; e += WGX * WGY) {
      let k = k0 + e / bm;
      let p = p0 + e % bm;
      a_tile[e] = select(0.0, gather(g, min(k, u.kk - 1u), min(p, u.pixels - 1u)), k < u.kk && p < u.pixels);
    }
    for (var e = li; e < BK * bn4; e += WGX * WGY) {
      let k = k0 + e / bn4;
      let c4 = c40 + e % bn4;
      b_tile[e] = select(vec4f(0.0), load_w4(g * u.kk + min(k, u.kk - 1u), min(c4, u.cg4 - 1u)), k < u.kk && c4 < u.cg4);
    }
    workgroupBarrier();
    for (var kl = 0u; kl < BK; kl++) {
      for (var i = 0u; i < TM; i++) {
        let x = vec4f(a_tile[kl * bm + lid.y * TM + i]);
        for (var j = 0u; j < TN4; j++) {
          acc[i * TN4 + j] = fma(x, b_tile[kl * bn4 + lid.x * TN4 + j], acc[i * TN4 + j]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let p = p0 + lid.y * TM + i;
    if (p >= u.pixels) { break; }
    for (var j = 0u; j < TN4; j++) {
      for (var l = 0u; l < 4u; l++) {
        let co = (c40 + lid.x * TN4 + j) * 4u + l;
        if (co < u.cout_g) { store(p, g * u.cout_g + co, acc[i * TN4 + j][l] * out_scale(g, co)); }
      }
    }
  }
}
