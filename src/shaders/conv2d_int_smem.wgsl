// W8A8 convolution as an implicit GEMM with workgroup-memory tiles (the GPU-shaped family; groups == 1).
// A workgroup of WGM x WGN invocations owns BM = 4 * WGM output pixels x BN4 = TN4 * WGN blocks of 4 output
// channels. Per stage it copies BK reduction words (4 * BK int8 channels of one tap) of its BM pixels and its
// BN4 * 4 weight columns into workgroup memory, once, and every invocation reads them from there:
//
//     global bytes per stage = 4 * BK * (BM + 4 * BN4),  MACs = 4 * BK * BM * 4 * BN4
//     -> BM * BN / (BM + BN) MAC per byte (BN = 4 * BN4 channels): 32 for 64 x 64, 43 for 64 x 128.
//
// Invocation (ty, tx) computes pixels ty + i * WGM (i < 4: rows strided so that a warp reads consecutive words)
// and blocks tx + j * WGN (j < TN4). Layouts and reduction order: conv2d_w8a8.ts, conv2d_int_common.ts (with
// groups == 1 the window is the whole pixel: ws = 0, KWIN = C4). Appended by the builder: one input loader
// (conv2d_int_smem_in_{u32,v4}.wgsl, binding 0), conv2d_int_common.wgsl, conv2d_int_dot_*.wgsl, fixedpoint.wgsl,
// requant.wgsl, activation.wgsl, conv2d_int_store.wgsl (the same epilogue as the register families).
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
// Bindings 2..6 (chan, residual, lut, output, u): conv2d_int_bindings_w8.wgsl, appended.

override WG: u32 = 256u;  // invocations per workgroup, WGM x WGN
override WGN: u32 = 16u;  // invocations along channel blocks
override WGM: u32 = 16u;  // invocations along pixels (BM = 4 * WGM), WG / WGN
override TN4: u32 = 1u;   // channel blocks per invocation: 1 or 2
override BK: u32 = 8u;    // reduction words per stage, a multiple of 4

// xs[q * BM + r]: words 4q..4q+3 of the stage for tile pixel r. wt[k * BN4 + b]: weight vec4 of word k, block b.
var<workgroup> xs: array<vec4<u32>, WGM * BK>;
var<workgroup> wt: array<vec4<u32>, BK * WGN * TN4>;
// Input origin of each tile pixel (pixel_origin), computed once; rows past M get an origin that is never inside.
var<workgroup> org: array<vec3<i32>, WGM * 4u>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let BM = 4u * WGM;
  let BN4 = TN4 * WGN;
  let NT = WG;
  let tile = out_tile(wid.x + wid.y * nwg.x, BM, BN4);
  if (!tile.live) { return; }
  let bm0 = tile.m0;
  let bb0 = tile.ocb0;
  let tx = li % WGN;
  let ty = li / WGN;

  for (var r = li; r < BM; r += NT) {
    org[r] = select(vec3<i32>(-(1 << 20), 0, 0), pixel_origin(bm0 + r), bm0 + r < u.M);
  }
  let p0 = block_params(bb0 + tx);
  let p1 = block_params(bb0 + tx + WGN);
  var a00 = p0.bias; var a10 = p0.bias; var a20 = p0.bias; var a30 = p0.bias;
  var a01 = p1.bias; var a11 = p1.bias; var a21 = p1.bias; var a31 = p1.bias;
  workgroupBarrier();

  let chunks = (u.KWIN + BK - 1u) / BK;
  for (var kh = 0u; kh < u.KH; kh++) {
    for (var kw = 0u; kw < u.KW; kw++) {
      let row0 = (kh * u.KW + kw) * u.KWIN;
      for (var c = 0u; c < chunks; c++) {
        let c0 = c * BK;
        for (var e = li; e < BM * BK / 4u; e += NT) {
          xs[e] = load_x4(org[e % BM], kh, kw, c0 + 4u * (e / BM));
        }
        // Words past KWIN (the last chunk of a tap) get zero weights, so whatever load_x4 returned adds nothing.
        for (var e = li; e < BK * BN4; e += NT) {
          let cw = c0 + e / BN4;
          let ob = bb0 + e % BN4;
          var w = vec4<u32>(0u);
          if (cw < u.KWIN && ob < u.OC4) { w = weights[(row0 + cw) * u.OC4 + ob]; }
          wt[e] = w;
        }
        workgroupBarrier();
        for (var q = 0u; q < BK / 4u; q++) {
          let x0 = xs[q * BM + ty];
          let x1 = xs[q * BM + ty + WGM];
          let x2 = xs[q * BM + ty + 2u * WGM];
          let x3 = xs[q * BM + ty + 3u * WGM];
          for (var l = 0u; l < 4u; l++) {
            let w0 = wt[(q * 4u + l) * BN4 + tx];
            a00 += dot4x4(x0[l], w0); a10 += dot4x4(x1[l], w0); a20 += dot4x4(x2[l], w0); a30 += dot4x4(x3[l], w0);
            if (TN4 > 1u) {
              let w1 = wt[(q * 4u + l) * BN4 + tx + WGN];
              a01 += dot4x4(x0[l], w1); a11 += dot4x4(x1[l], w1); a21 += dot4x4(x2[l], w1); a31 += dot4x4(x3[l], w1);
            }
          }
        }
        workgroupBarrier();
      }
    }
  }
  let ob0 = bb0 + tx;
  store_block(bm0 + ty, ob0, a00, p0);
  store_block(bm0 + ty + WGM, ob0, a10, p0);
  store_block(bm0 + ty + 2u * WGM, ob0, a20, p0);
  store_block(bm0 + ty + 3u * WGM, ob0, a30, p0);
  if (TN4 > 1u) {
    let ob1 = ob0 + WGN;
    store_block(bm0 + ty, ob1, a01, p1);
    store_block(bm0 + ty + WGM, ob1, a11, p1);
    store_block(bm0 + ty + 2u * WGM, ob1, a21, p1);
    store_block(bm0 + ty + 3u * WGM, ob1, a31, p1);
  }
}
