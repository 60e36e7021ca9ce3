// Depthwise Conv2D (groups == cin == cout). Weights are one group of kk = kh*kw rows of cg4 vec4 channels.
// Each invocation computes TM consecutive output pixels of one row x 4 channels (one vec4).
override WG: u32 = 64u;
override TM: u32 = 4u;   // 1..8

// Channels c .. c+3 of input pixel `pix` (channels past cin read a clamped, finite value; never stored).
fn load_x4(pix: u32, c: u32) -> vec4f {
  let b = pix * u.cin;
  let last = u.cin - 1u;
  return vec4f(input[b + min(c, last)], input[b + min(c + 1u, last)], input[b + min(c + 2u, last)],
               input[b + min(c + 3u, last)]);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * WG;
  let xblocks = (u.out_w + TM - 1u) / TM;
  let c4 = t % u.cg4;
  let ox0 = ((t / u.cg4) % xblocks) * TM;
  let oy = (t / u.cg4 / xblocks) % u.out_h;
  let n = t / u.cg4 / xblocks / u.out_h;
  if (n >= u.n) { return; }

  var acc: array<vec4f, 8>;
  for (var ky = 0u; ky < u.kh; ky++) {
    let iy = i32(oy * u.stride_h + ky * u.dil_h) - i32(u.pad_t);
    if (iy < 0 || iy >= i32(u.h)) { continue; }
    let row = (n * u.h + u32(iy)) * u.w;
    for (var kx = 0u; kx < u.kw; kx++) {
      let wv = load_w4(0u, ky * u.kw + kx, c4);
      for (var i = 0u; i < TM; i++) {
        let ix = i32((ox0 + i) * u.stride_w + kx * u.dil_w) - i32(u.pad_l);
        if (ix >= 0 && ix < i32(u.w)) { acc[i] = fma(load_x4(row + u32(ix), c4 * 4u), wv, acc[i]); }
      }
    }
  }

  for (var i = 0u; i < TM; i++) {
    let ox = ox0 + i;
    if (ox >= u.out_w) { break; }
    let p = (n * u.out_h + oy) * u.out_w + ox;
    for (var l = 0u; l < 4u; l++) {
      let c = c4 * 4u + l;
      if (c < u.cout) { store(p, c, acc[i][l]); }
    }
  }
}
