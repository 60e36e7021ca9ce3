// W8A8 convolution for CPU-backed WebGPU (SwiftShader): the int8 products are summed with f32 fma, which is
// exact (every product and partial sum is an integer below 2^24, see below) and costs one instruction per
// multiply-accumulate where i32 needs a multiply and an add. Each invocation computes TM (1..4) output pixels x
// TN4 (1..4) blocks of 4 output channels; every input byte is converted once per invocation and reused across
// the 4 * TN4 channels, every weight byte across the TM pixels. Same bindings, layouts and reduction order as
// conv2d_w8a8.wgsl; appended: conv2d_int_common.wgsl, conv2d_int_dot_*.wgsl, requant.wgsl, activation.wgsl,
// conv2d_int_store.wgsl.
//
// Exactness: |x * w| <= 128 * 127 < 2^14, so a sum of at most 1024 products (256 packed words) stays below
// 2^24 and is exact in f32. The taps are summed in f32 in chunks of u.KWR taps (KWR * KWIN <= 256, computed by
// the builder), then added to i32 accumulators that start at the folded bias.
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
// Bindings 2..6 (chan, residual, lut, output, u): conv2d_int_bindings_w8.wgsl, appended.

override WG: u32 = 64u;
override TM: u32 = 4u;   // output pixels per invocation, 1..4
override TN4: u32 = 2u;  // blocks of 4 output channels per invocation, 1..4

// One weight vec4 (4 output channels x 4 input channels) as f32: column k = input channel k of the 4 outputs.
fn wmat(w: vec4<u32>) -> mat4x4<f32> {
  let s = bitcast<vec4<i32>>(w);
  return mat4x4<f32>(vec4<f32>((s << vec4(24u)) >> vec4(24u)), vec4<f32>((s << vec4(16u)) >> vec4(24u)),
                     vec4<f32>((s << vec4(8u)) >> vec4(24u)), vec4<f32>(s >> vec4(24u)));
}

// f + w * x as four fma (one per input channel): exact, see the file comment.
fn mac(f: vec4<f32>, x: vec4<f32>, w: mat4x4<f32>) -> vec4<f32> {
  return fma(vec4<f32>(x.w), w[3], fma(vec4<f32>(x.z), w[2], fma(vec4<f32>(x.y), w[1], fma(vec4<f32>(x.x), w[0], f))));
}

// The 4 int8 lanes of one packed input word as f32.
fn xbytes(x: u32) -> vec4<f32> {
  let s = bitcast<i32>(x);
  return vec4<f32>(vec4<i32>(s << 24u, s << 16u, s << 8u, s) >> vec4<u32>(24u));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tile = out_tile(invocation_index(gid, nwg, WG), TM, TN4);
  if (!tile.live) { return; }
  let m0 = tile.m0;
  let ocb0 = tile.ocb0;
  let ws = tile.ws;
  let o0 = pixel_origin(m0);
  let o1 = pixel_origin(m0 + 1u);
  let o2 = pixel_origin(m0 + 2u);
  let o3 = pixel_origin(m0 + 3u);
  // Weight blocks past OC4 repeat the last one (valid reads; never stored).
  let wb = min(vec4<u32>(ocb0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(u.OC4 - 1u));
  let p0 = block_params(ocb0);
  let p1 = block_params(ocb0 + 1u);
  let p2 = block_params(ocb0 + 2u);
  let p3 = block_params(ocb0 + 3u);

  // i32 accumulators a<pixel><block> (named, not an array: see conv2d_w8a8.wgsl).
  var a00 = p0.bias; var a01 = p1.bias; var a02 = p2.bias; var a03 = p3.bias;
  var a10 = p0.bias; var a11 = p1.bias; var a12 = p2.bias; var a13 = p3.bias;
  var a20 = p0.bias; var a21 = p1.bias; var a22 = p2.bias; var a23 = p3.bias;
  var a30 = p0.bias; var a31 = p1.bias; var a32 = p2.bias; var a33 = p3.bias;
  let taps = u.KH * u.KW;
  var tkh = 0u;
  var tkw = 0u;
  for (var t0 = 0u; t0 < taps; t0 += u.KWR) {
    var f00 = vec4f(0.0); var f01 = vec4f(0.0); var f02 = vec4f(0.0); var f03 = vec4f(0.0);
    var f10 = vec4f(0.0); var f11 = vec4f(0.0); var f12 = vec4f(0.0); var f13 = vec4f(0.0);
    var f20 = vec4f(0.0); var f21 = vec4f(0.0); var f22 = vec4f(0.0); var f23 = vec4f(0.0);
    var f30 = vec4f(0.0); var f31 = vec4f(0.0); var f32_ = vec4f(0.0); var f33 = vec4f(0.0);
    for (var t = t0; t < min(t0 + u.KWR, taps); t++) {
      // (kh, kw) advance with the flat tap index (no integer division per tap: it is scalarised on CPUs).
      let kh = tkh;
      let kw = tkw;
      tkw += 1u;
      tkh += select(0u, 1u, tkw == u.KW);
      tkw = select(tkw, 0u, tkw == u.KW);
      let base = vec4<i32>(tap_base(o0, kh, kw, ws), tap_base(o1, kh, kw, ws), tap_base(o2, kh, kw, ws), tap_base(o3, kh, kw, ws));
      let ok = base >= vec4<i32>(0);
      let idx = vec4<u32>(max(base, vec4<i32>(0)));
      var wrow = t * u.KWIN * u.OC4;
      for (var cw = 0u; cw < u.KWIN; cw++) {
        // Padding reads as the input zero point (z_in in every byte), matching the folded bias.
        let x0 = xbytes(select(u.ZP_WORD, input[idx.x + cw], ok.x));
        var x1 = vec4f(0.0); var x2 = vec4f(0.0); var x3 = vec4f(0.0);
        if (TM > 1u) { x1 = xbytes(select(u.ZP_WORD, input[idx.y + cw], ok.y)); }
        if (TM > 2u) { x2 = xbytes(select(u.ZP_WORD, input[idx.z + cw], ok.z)); }
        if (TM > 3u) { x3 = xbytes(select(u.ZP_WORD, input[idx.w + cw], ok.w)); }
        let w0 = wmat(weights[wrow + wb.x]);
        f00 = mac(f00, x0, w0);
        if (TM > 1u) { f10 = mac(f10, x1, w0); }
        if (TM > 2u) { f20 = mac(f20, x2, w0); }
        if (TM > 3u) { f30 = mac(f30, x3, w0); }
        if (TN4 > 1u) {
          let w1 = wmat(weights[wrow + wb.y]);
          f01 = mac(f01, x0, w1);
          if (TM > 1u) { f11 = mac(f11, x1, w1); }
          if (TM > 2u) { f21 = mac(f21, x2, w1); }
          if (TM > 3u) { f31 = mac(f31, x3, w1); }
        }
        if (TN4 > 2u) {
          let w2 = wmat(weights[wrow + wb.z]);
          f02 = mac(f02, x0, w2);
          if (TM > 1u) { f12 = mac(f12, x1, w2); }
          if (TM > 2u) { f22 = mac(f22, x2, w2); }
          if (TM > 3u) { f32_ = mac(f32_, x3, w2); }
        }
        if (TN4 > 3u) {
          let w3 = wmat(weights[wrow + wb.w]);
          f03 = mac(f03, x0, w3);
          if (TM > 1u) { f13 = mac(f13, x1, w3); }
          if (TM > 2u) { f23 = mac(f23, x2, w3); }
          if (TM > 3u) { f33 = mac(f33, x3, w3); }
        }
        wrow += u.OC4;
      }
    }
    a00 += vec4<i32>(f00); a01 += vec4<i32>(f01); a02 += vec4<i32>(f02); a03 += vec4<i32>(f03);
    a10 += vec4<i32>(f10); a11 += vec4<i32>(f11); a12 += vec4<i32>(f12); a13 += vec4<i32>(f13);
    a20 += vec4<i32>(f20); a21 += vec4<i32>(f21); a22 += vec4<i32>(f22); a23 += vec4<i32>(f23);
    a30 += vec4<i32>(f30); a31 += vec4<i32>(f31); a32 += vec4<i32>(f32_); a33 += vec4<i32>(f33);
  }

  // The epilogue runs in a loop, not unrolled per accumulator: each store_block inlines the 64-bit requant
  // emulation, and 16 copies of it made SwiftShader's compile of this pipeline take seconds (load time).
  let acc = array<vec4<i32>, 16>(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
  let ps = array<BlockParams, 4>(p0, p1, p2, p3);
  for (var i = 0u; i < TM * TN4; i++) {
    let pm = i / TN4;
    let b = i - pm * TN4;
    store_block(m0 + pm, ocb0 + b, acc[pm * 4u + b], ps[b]);
  }
}
