// Conv2D, register-tiled implicit GEMM without shared memory or barriers (the fast path on SwiftShader and
// other software/CPU implementations, where a workgroup barrier costs more than it saves).
// Each invocation computes TM consecutive output pixels (flattened n, oy, ox) x TN4 vec4 output channels of
// one group. General: any kernel size, stride, dilation, asymmetric padding, groups.
override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation, 1..8
override TN4: u32 = 2u;  // vec4 output-channel blocks per invocation, 1..4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // Channel blocks vary fastest so that neighbouring invocations read the same input pixels.
  let t = gid.x + gid.y * nwg.x * WG;
  let cblocks = (u.cg4 + TN4 - 1u) / TN4;
  let cb = t % cblocks;
  let g = (t / cblocks) % u.groups;
  let p0 = (t / cblocks / u.groups) * TM;
  if (p0 >= u.pixels) { return; }
  let c4 = cb * TN4;

  var iy0: array<i32, 8>;
  var ix0: array<i32, 8>;
  var row0: array<u32, 8>; // n * h
  for (var i = 0u; i < TM; i++) {
    let p = min(p0 + i, u.pixels - 1u);
    let ox = p % u.out_w;
    let oy = (p / u.out_w) % u.out_h;
    row0[i] = (p / u.out_w / u.out_h) * u.h;
    iy0[i] = i32(oy * u.stride_h) - i32(u.pad_t);
    ix0[i] = i32(ox * u.stride_w) - i32(u.pad_l);
  }

  var acc: array<vec4f, 32>;
  var ws: array<vec4f, 4>;
  var off: array<u32, 8>;
  var ok: array<bool, 8>;
  var k = 0u;
  for (var ky = 0u; ky < u.kh; ky++) {
    for (var kx = 0u; kx < u.kw; kx++) {
      // Input offsets of this tap, hoisted out of the channel loop; padding reads as zero.
      for (var i = 0u; i < TM; i++) {
        let iy = iy0[i] + i32(ky * u.dil_h);
        let ix = ix0[i] + i32(kx * u.dil_w);
        ok[i] = iy >= 0 && iy < i32(u.h) && ix >= 0 && ix < i32(u.w);
        off[i] = select(0u, ((row0[i] + u32(iy)) * u.w + u32(ix)) * u.cin + g * u.cin_g, ok[i]);
      }
      for (var ci = 0u; ci < u.cin_g; ci++) {
        for (var j = 0u; j < TN4; j++) { ws[j] = load_w4(g, k + ci, min(c4 + j, u.cg4 - 1u)); }
        for (var i = 0u; i < TM; i++) {
          let x = vec4f(select(0.0, input[off[i] + ci], ok[i]));
          for (var j = 0u; j < TN4; j++) { acc[i * TN4 + j] = fma(x, ws[j], acc[i * TN4 + j]); }
        }
      }
      k += u.cin_g;
    }
  }

  for (var i = 0u; i < TM; i++) {
    let p = p0 + i;
    if (p >= u.pixels) { break; }
    for (var j = 0u; j < TN4; j++) {
      for (var l = 0u; l < 4u; l++) {
        let co = (c4 + j) * 4u + l;
        if (co < u.cout_g) { store(p, g * u.cout_g + co, acc[i * TN4 + j][l]); }
      }
    }
  }
}
