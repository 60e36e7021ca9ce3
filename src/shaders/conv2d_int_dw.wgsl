// Depthwise int8 convolution (groups == cin == cout). No reduction across channels: each invocation takes one
// packed word (4 channels) of TM (1..4) consecutive output pixels of one row, converts the int8 lanes to f32 and
// multiplies lane-wise with fma (exact: products < 2^14, at most 1024 taps, so sums stay below 2^24), then
// converts to i32 for the integer epilogue. Weights pack the 4 channels of a tap in one word (packDepthwiseW8).
//
// ROW3 (3-wide kernel, horizontal dilation 1, stride SX = 1 or 2): the TM outputs of a row read only
// (TM - 1) * SX + 3 input columns per kernel row, so each column is loaded and converted once and reused by up to
// 3 taps (6 loads instead of 12 at TM = 4, SX = 1). Otherwise: one load per tap and pixel.
// Appended: conv2d_int_common.wgsl, conv2d_int_dot_*.wgsl, requant.wgsl, activation.wgsl, conv2d_int_store.wgsl.
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
// Bindings 2..6 (chan, residual, lut, output, u): conv2d_int_bindings_w8.wgsl, appended.

override WG: u32 = 64u;
override TM: u32 = 4u;    // output pixels of one row per invocation, 1..4
override ROW3: u32 = 0u;  // 1: the column-reuse path for KW == 3, DW == 1, SW == SX
override SX: u32 = 1u;    // horizontal stride of the ROW3 path, 1 or 2

// The 4 int8 lanes of a packed word as f32.
fn lanes(x: u32) -> vec4<f32> {
  let s = bitcast<i32>(x);
  return vec4<f32>(vec4<i32>(s << 24u, s << 16u, s << 8u, s) >> vec4<u32>(24u));
}

// Lanes of input column ix of row `row` (first word of the row's pixel 0, or -1 for a padding row); padding
// reads as the input zero point.
fn col(row: i32, ix: i32, cb: u32) -> vec4<f32> {
  let ok = row >= 0 && ix >= 0 && ix < i32(u.W);
  return lanes(select(u.ZP_WORD, input[u32(max(row + ix * i32(u.C4), 0)) + cb], ok));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tid = invocation_index(gid, nwg, WG);
  let cb = tid % u.OC4;
  let mt = tid / u.OC4;
  if (mt >= u.M_TILES) { return; }
  let xblocks = (u.OW + TM - 1u) / TM;
  let r = div_small(mt, xblocks);  // n * OH + oy
  let ox0 = (mt - r * xblocks) * TM;
  let n = div_small(r, u.OH);
  let oy = r - n * u.OH;
  let ix0 = i32(ox0 * u.SW) - i32(u.PL);

  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  for (var kh = 0u; kh < u.KH; kh++) {
    let iy = i32(oy * u.SH + kh * u.DH) - i32(u.PT);
    let row = select(-1, (i32(n * u.H) + iy) * i32(u.W * u.C4), iy >= 0 && iy < i32(u.H));
    let wrow = kh * u.KW * u.C4 + cb;
    if (ROW3 != 0u) {
      let w0 = lanes(weights[wrow]);
      let w1 = lanes(weights[wrow + u.C4]);
      let w2 = lanes(weights[wrow + 2u * u.C4]);
      let x0 = col(row, ix0, cb);
      let x1 = col(row, ix0 + 1, cb);
      let x2 = col(row, ix0 + 2, cb);
      a0 = fma(x2, w2, fma(x1, w1, fma(x0, w0, a0)));
      if (SX == 1u) {
        var x3 = vec4f(0.0); var x4 = vec4f(0.0); var x5 = vec4f(0.0);
        if (TM > 1u) { x3 = col(row, ix0 + 3, cb); a1 = fma(x3, w2, fma(x2, w1, fma(x1, w0, a1))); }
        if (TM > 2u) { x4 = col(row, ix0 + 4, cb); a2 = fma(x4, w2, fma(x3, w1, fma(x2, w0, a2))); }
        if (TM > 3u) { x5 = col(row, ix0 + 5, cb); a3 = fma(x5, w2, fma(x4, w1, fma(x3, w0, a3))); }
      } else {
        var x4 = vec4f(0.0); var x6 = vec4f(0.0);
        if (TM > 1u) { x4 = col(row, ix0 + 4, cb); a1 = fma(x4, w2, fma(col(row, ix0 + 3, cb), w1, fma(x2, w0, a1))); }
        if (TM > 2u) { x6 = col(row, ix0 + 6, cb); a2 = fma(x6, w2, fma(col(row, ix0 + 5, cb), w1, fma(x4, w0, a2))); }
        if (TM > 3u) { a3 = fma(col(row, ix0 + 8, cb), w2, fma(col(row, ix0 + 7, cb), w1, fma(x6, w0, a3))); }
      }
    } else {
      for (var kw = 0u; kw < u.KW; kw++) {
        let w = lanes(weights[wrow + kw * u.C4]);
        let ix = ix0 + i32(kw * u.DW);
        let sw = i32(u.SW);
        a0 = fma(col(row, ix, cb), w, a0);
        if (TM > 1u) { a1 = fma(col(row, ix + sw, cb), w, a1); }
        if (TM > 2u) { a2 = fma(col(row, ix + 2 * sw, cb), w, a2); }
        if (TM > 3u) { a3 = fma(col(row, ix + 3 * sw, cb), w, a3); }
      }
    }
  }

  let p = block_params(cb);
  let m0 = r * u.OW + ox0;
  store_block(m0, cb, p.bias + vec4<i32>(a0), p);
  if (TM > 1u && ox0 + 1u < u.OW) { store_block(m0 + 1u, cb, p.bias + vec4<i32>(a1), p); }
  if (TM > 2u && ox0 + 2u < u.OW) { store_block(m0 + 2u, cb, p.bias + vec4<i32>(a2), p); }
  if (TM > 3u && ox0 + 3u < u.OW) { store_block(m0 + 3u, cb, p.bias + vec4<i32>(a3), p); }
}
