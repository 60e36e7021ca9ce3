// Shared by every float-activation conv / GEMM kernel (fp32, fp16 weights, weight-only int8/int4).
// The builder (conv2d_f32_common.ts) prepends the binding declarations and appends one weight loader
// (`load_w4`, conv2d_f32_load_*.wgsl / conv2d_wo_load_*.wgsl) and activation.wgsl.
//
// Reduction index k of group g runs over (ky, kx, ci) with ci fastest: k = (ky * kw + kx) * cin_g + ci.
// Weights are rows of `cg4` vec4 (4 output channels of the group each): global row r = g * kk + k, so
// `load_w4(r, c4)` returns output channels 4*c4 .. 4*c4+3 of group g at reduction index k.
struct U {
  n: u32, h: u32, w: u32, cin: u32,
  out_h: u32, out_w: u32, cout: u32, pixels: u32,   // pixels = n * out_h * out_w (GEMM: rows M per batch)
  kh: u32, kw: u32, stride_h: u32, stride_w: u32,
  dil_h: u32, dil_w: u32, pad_t: u32, pad_l: u32,
  groups: u32, cin_g: u32, cout_g: u32, cg4: u32,   // cg4 = ceil(cout_g / 4): vec4 per weight row
  kk: u32, gs: u32, _pad0: u32, _pad1: u32,        // kk = kh*kw*cin_g; gs: rows per weight-only scale block
}

// output[pix, co] = act(acc + bias[co] (+ residual[pix, co])); co is the global output channel.
fn store(pix: u32, co: u32, acc: f32) {
  let o = pix * u.cout + co;
  var x = acc + bias[co];
  // #if RESIDUAL
  x += residual[o];
  // #endif
  output[o] = activate(x);
}
