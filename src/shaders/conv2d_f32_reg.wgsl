// Conv2D, register-tiled implicit GEMM without shared memory or barriers: the fast path on SwiftShader and
// other software implementations, where a workgroup barrier costs more than it saves. General: any kernel
// size, stride, dilation, asymmetric padding, groups.
//
// Each invocation computes TM (<= 4) consecutive output pixels (flattened n, oy, ox; one vec4 lane each) x
// TN4 (<= 4) vec4 output channels of one group. The 4x4 tile is written out as 16 named accumulators
// guarded by the override constants: software compilers keep such variables in registers, whereas a
// dynamically indexed private array is spilled to memory (4-6x slower on SwiftShader). After override
// substitution the guards are constant, so a smaller tile costs nothing for the unused ones. Appended:
// conv2d_f32_tile.wgsl (fma_row, store_tile).
override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation, 1..4
override TN4: u32 = 2u;  // vec4 output-channel blocks per invocation, 1..4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // Channel blocks vary fastest so that neighbouring invocations read the same input pixels.
  let t = gid.x + gid.y * nwg.x * WG;
  let cblocks = (u.cg4 + TN4 - 1u) / TN4;
  let c40 = (t % cblocks) * TN4;
  let g = (t / cblocks) % u.groups;
  let p0 = (t / cblocks / u.groups) * TM;
  if (p0 >= u.pixels) { return; }

  // Pixel lanes past the end repeat the last pixel (valid reads; never stored).
  let p = min(vec4u(p0) + vec4u(0u, 1u, 2u, 3u), vec4u(u.pixels - 1u));
  let iy0 = vec4i((p / u.out_w) % u.out_h * u.stride_h) - i32(u.pad_t);
  let ix0 = vec4i(p % u.out_w * u.stride_w) - i32(u.pad_l);
  let row0 = p / u.out_w / u.out_h * u.h;
  // Weight columns past the group's last vec4 repeat it (valid reads; never stored).
  let c = min(vec4u(c40) + vec4u(0u, 1u, 2u, 3u), vec4u(u.cg4 - 1u));

  var a00 = vec4f(0.0); var a01 = vec4f(0.0); var a02 = vec4f(0.0); var a03 = vec4f(0.0);
  var a10 = vec4f(0.0); var a11 = vec4f(0.0); var a12 = vec4f(0.0); var a13 = vec4f(0.0);
  var a20 = vec4f(0.0); var a21 = vec4f(0.0); var a22 = vec4f(0.0); var a23 = vec4f(0.0);
  var a30 = vec4f(0.0); var a31 = vec4f(0.0); var a32 = vec4f(0.0); var a33 = vec4f(0.0);
  var r = g * u.kk; // global weight row
  for (var ky = 0u; ky < u.kh; ky++) {
    for (var kx = 0u; kx < u.kw; kx++) {
      // Input offsets of this tap, hoisted out of the channel loop; padding reads as zero.
      let iy = iy0 + i32(ky * u.dil_h);
      let ix = ix0 + i32(kx * u.dil_w);
      let ok = (iy >= vec4i(0)) & (iy < vec4i(i32(u.h))) & (ix >= vec4i(0)) & (ix < vec4i(i32(u.w)));
      let off = select(vec4u(0u), ((row0 + vec4u(iy)) * u.w + vec4u(ix)) * u.cin + g * u.cin_g, ok);
      for (var ci = 0u; ci < u.cin_g; ci++) {
        let w0 = load_w4(r, c.x);
        var w1 = vec4f(0.0); var w2 = vec4f(0.0); var w3 = vec4f(0.0);
        if (TN4 > 1u) { w1 = load_w4(r, c.y); }
        if (TN4 > 2u) { w2 = load_w4(r, c.z); }
        if (TN4 > 3u) { w3 = load_w4(r, c.w); }
        var x = vec4f(select(0.0, input[off.x + ci], ok.x), 0.0, 0.0, 0.0);
        if (TM > 1u) { x.y = select(0.0, input[off.y + ci], ok.y); }
        if (TM > 2u) { x.z = select(0.0, input[off.z + ci], ok.z); }
        if (TM > 3u) { x.w = select(0.0, input[off.w + ci], ok.w); }
        fma_row(x.x, w0, w1, w2, w3, &a00, &a01, &a02, &a03);
        if (TM > 1u) { fma_row(x.y, w0, w1, w2, w3, &a10, &a11, &a12, &a13); }
        if (TM > 2u) { fma_row(x.z, w0, w1, w2, w3, &a20, &a21, &a22, &a23); }
        if (TM > 3u) { fma_row(x.w, w0, w1, w2, w3, &a30, &a31, &a32, &a33); }
        r += 1u;
      }
    }
  }

  let acc = array<vec4f, 16>(
    a00, a01, a02, a03,
    a10, a11, a12, a13,
    a20, a21, a22, a23,
    a30, a31, a32, a33);
  store_tile(acc, p0, c40, g, u.cout_g);
}
