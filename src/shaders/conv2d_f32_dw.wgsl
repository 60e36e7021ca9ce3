// Depthwise Conv2D (groups == cin == cout). Weights are one group of kk = kh*kw rows of cg4 vec4 channels.
// Each invocation computes TM (<= 4) consecutive output pixels of one row x 4 channels (one vec4), in named
// accumulators (see conv2d_f32_reg.wgsl for why not an array).
override WG: u32 = 64u;
override TM: u32 = 4u;   // 1..4

// Channels c .. c+3 of input pixel `pix`, zero unless `ok`.
// #if VEC4_INPUT
// cin % 4 == 0: the builder declares `input` as array<vec4f>, one load per 4 channels.
fn load_x4(pix: u32, c: u32, ok: bool) -> vec4f {
  return select(vec4f(0.0), input[(pix * u.cin + c) / 4u], ok);
}
// #else
// Channels past cin read a clamped value (never stored).
fn load_x4(pix: u32, c: u32, ok: bool) -> vec4f {
  let b = pix * u.cin;
  let last = u.cin - 1u;
  let v = vec4f(input[b + min(c, last)], input[b + min(c + 1u, last)], input[b + min(c + 2u, last)],
                input[b + min(c + 3u, last)]);
  return select(vec4f(0.0), v, ok);
}
// #endif

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * WG;
  let xblocks = (u.out_w + TM - 1u) / TM;
  let c4 = t % u.cg4;
  let ox0 = ((t / u.cg4) % xblocks) * TM;
  let oy = (t / u.cg4 / xblocks) % u.out_h;
  let n = t / u.cg4 / xblocks / u.out_h;
  if (n >= u.n) { return; }
  let c = c4 * 4u;

  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  let ix0 = vec4i((vec4u(ox0) + vec4u(0u, 1u, 2u, 3u)) * u.stride_w) - i32(u.pad_l);
  for (var ky = 0u; ky < u.kh; ky++) {
    let iy = i32(oy * u.stride_h + ky * u.dil_h) - i32(u.pad_t);
    if (iy < 0 || iy >= i32(u.h)) { continue; }
    let row = (n * u.h + u32(iy)) * u.w;
    for (var kx = 0u; kx < u.kw; kx++) {
      let wv = load_w4(ky * u.kw + kx, c4);
      let ix = ix0 + i32(kx * u.dil_w);
      let ok = (ix >= vec4i(0)) & (ix < vec4i(i32(u.w)));
      let pix = row + vec4u(select(vec4i(0), ix, ok));
      a0 = fma(load_x4(pix.x, c, ok.x), wv, a0);
      if (TM > 1u) { a1 = fma(load_x4(pix.y, c, ok.y), wv, a1); }
      if (TM > 2u) { a2 = fma(load_x4(pix.z, c, ok.z), wv, a2); }
      if (TM > 3u) { a3 = fma(load_x4(pix.w, c, ok.w), wv, a3); }
    }
  }

  let acc = array<vec4f, 4>(a0, a1, a2, a3);
  for (var i = 0u; i < TM; i++) {
    let ox = ox0 + i;
    if (ox >= u.out_w) { break; }
    let p = (n * u.out_h + oy) * u.out_w + ox;
    for (var l = 0u; l < 4u; l++) {
      if (c + l < u.cout) { store(p, c + l, acc[i][l] * out_scale(0u, c + l)); }
    }
  }
}
