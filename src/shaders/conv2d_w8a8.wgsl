// W8A8 convolution, barrier-free register tile: each invocation computes TM output pixels x TN4 blocks of 4
// output channels, sharing every loaded input word across the block's channels and every weight vec4 across the
// pixels. Layouts: see conv2d_w8a8.ts (weights), conv2d_int_common.ts (reduction order). Appended by the builder:
// conv2d_int_common.wgsl, conv2d_int_dot_{packed,fallback}.wgsl, requant.wgsl,
// activation.wgsl, conv2d_int_store.wgsl.
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
// Bindings 2..6 (chan, residual, lut, output, u): conv2d_int_bindings_w8.wgsl, appended.

override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation: 1, 2 or 4
override TN4: u32 = 1u;  // blocks of 4 output channels per invocation, 1..2

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tile = out_tile(invocation_index(gid, nwg, WG), TM, TN4);
  if (!tile.live) { return; }
  let m0 = tile.m0;
  let ocb0 = tile.ocb0;
  let ws = tile.ws;

  // Named accumulators (a<pixel><block>), not a private array: dynamically indexed private arrays live in memory
  // on SwiftShader and cost ~4x. Each starts at the folded bias (bias_q - z_in * sum(w)).
  let p0 = block_params(ocb0);
  let p1 = block_params(ocb0 + 1u);
  var a00 = p0.bias; var a10 = p0.bias; var a20 = p0.bias; var a30 = p0.bias;
  var a01 = p1.bias; var a11 = p1.bias; var a21 = p1.bias; var a31 = p1.bias;
  let o0 = pixel_origin(m0);
  let o1 = pixel_origin(m0 + 1u);
  let o2 = pixel_origin(m0 + 2u);
  let o3 = pixel_origin(m0 + 3u);
  let wb0 = min(ocb0, u.OC4 - 1u);
  let wb1 = min(ocb0 + 1u, u.OC4 - 1u);

  var wrow = 0u;
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      let base = vec4<i32>(tap_base(o0, kh, kw, ws), tap_base(o1, kh, kw, ws), tap_base(o2, kh, kw, ws), tap_base(o3, kh, kw, ws));
      let ok = base >= vec4<i32>(0);
      let idx = vec4<u32>(max(base, vec4<i32>(0)));
      for (var cw = 0u; cw < u.KWIN; cw++) {
        // Padding reads as the input zero point (z_in in every byte), matching the folded bias.
        let x0 = select(u.ZP_WORD, input[idx.x + cw], ok.x);
        var x1 = 0u; var x2 = 0u; var x3 = 0u;
        if (TM > 1u) { x1 = select(u.ZP_WORD, input[idx.y + cw], ok.y); }
        if (TM > 2u) {
          x2 = select(u.ZP_WORD, input[idx.z + cw], ok.z);
          x3 = select(u.ZP_WORD, input[idx.w + cw], ok.w);
        }
        let w0 = weights[wrow * u.OC4 + wb0];
        a00 += dot4x4(x0, w0);
        if (TM > 1u) { a10 += dot4x4(x1, w0); }
        if (TM > 2u) { a20 += dot4x4(x2, w0); a30 += dot4x4(x3, w0); }
        if (TN4 > 1u) {
          let w1 = weights[wrow * u.OC4 + wb1];
          a01 += dot4x4(x0, w1);
          if (TM > 1u) { a11 += dot4x4(x1, w1); }
          if (TM > 2u) { a21 += dot4x4(x2, w1); a31 += dot4x4(x3, w1); }
        }
        wrow++;
      }
    }
  }
  store_block(m0, ocb0, a00, p0);
  if (TM > 1u) { store_block(m0 + 1u, ocb0, a10, p0); }
  if (TM > 2u) { store_block(m0 + 2u, ocb0, a20, p0); store_block(m0 + 3u, ocb0, a30, p0); }
  if (TN4 > 1u) {
    store_block(m0, ocb0 + 1u, a01, p1);
    if (TM > 1u) { store_block(m0 + 1u, ocb0 + 1u, a11, p1); }
    if (TM > 2u) { store_block(m0 + 2u, ocb0 + 1u, a21, p1); store_block(m0 + 3u, ocb0 + 1u, a31, p1); }
  }
}
