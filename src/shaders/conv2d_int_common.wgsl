// Shared by the integer conv kernels: the uniform struct (filled by intConvUniforms in conv2d_int_common.ts,
// field for field) and the pixel/window helpers.
struct IntConvU {
  H: u32, W: u32, C4: u32, KWIN: u32,
  OH: u32, OW: u32, OC: u32, OC4: u32,
  KH: u32, KW: u32, SH: u32, SW: u32,
  DH: u32, DW: u32, PT: u32, PL: u32,
  M: u32, M_TILES: u32, OC_TILES: u32, ZP_WORD: u32,
  CING: u32, COUTG: u32, z_out: i32, q_lo: i32,
  q_hi: i32, RES: u32, s_out: f32, _pad0: u32,
  KWR: u32, NG: u32, GW: u32, _pad1: u32,
}

// First input word of block `b`'s channel window (see windowStart in conv2d_int_common.ts).
fn window_start(b: u32) -> u32 {
  let g_first = (b * 4u) / u.COUTG;
  return min((g_first * u.CING) / 4u, u.C4 - u.KWIN);
}

// Flat index of an invocation of a one-dimensional dispatch of `wg`-wide workgroups (dispatch1d folds grids
// wider than the device limit into y).
fn invocation_index(gid: vec3u, nwg: vec3u, wg: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg;
}

// Output tile `t` of the grid (M_TILES pixel tiles x OC_TILES channel tiles, channel tiles fastest, so that
// neighbouring tiles share input pixels): `tm` pixels from m0 x `tn4` blocks of 4 output channels from ocb0; ws is
// the first window word of block ocb0. Register kernels pass their invocation index, smem kernels their workgroup
// index. `live` is false past the last tile (dispatches round up to whole workgroups): the caller returns.
struct OutTile { m0: u32, ocb0: u32, ws: u32, live: bool }

fn out_tile(t: u32, tm: u32, tn4: u32) -> OutTile {
  let mt = t / u.OC_TILES;
  let ocb0 = (t % u.OC_TILES) * tn4;
  return OutTile(mt * tm, ocb0, window_start(ocb0), mt < u.M_TILES);
}

// One packed input word (4 int8 channels) against 4 output channels' weight words: 4 dot products (dot4 comes
// from the appended conv2d_int_dot_{packed,fallback}.wgsl).
fn dot4x4(x: u32, w: vec4<u32>) -> vec4<i32> {
  return vec4<i32>(dot4(x, w.x), dot4(x, w.y), dot4(x, w.z), dot4(x, w.w));
}

override FAST_DIV: u32 = 0u;  // 1: every pixel index is below 2^22 (set by the builders from the shape)

// floor(x / d). With FAST_DIV (x < 2^22): one f32 division and an exact correction (the f32 quotient may be off
// by 2.5 ulp, so by less than 2 here): vector integer division has no CPU instruction and is scalarised on
// CPU-backed devices (SwiftShader), f32 division is one vector instruction.
fn div_small(x: u32, d: u32) -> u32 {
  if (FAST_DIV == 0u) { return x / d; }
  var q = u32(max(f32(x) / f32(d), 0.0));
  q -= select(0u, 1u, q * d > x);
  q -= select(0u, 1u, q * d > x);
  q += select(0u, 1u, (q + 1u) * d <= x);
  q += select(0u, 1u, (q + 1u) * d <= x);
  return q;
}

// Top-left input coordinate of output pixel m (clamped into range; callers skip writes for m >= M), and the
// image's first row index n * H.
fn pixel_origin(m_in: u32) -> vec3<i32> {
  let m = min(m_in, u.M - 1u);
  let t = div_small(m, u.OW);
  let ow = m - t * u.OW;
  let n = div_small(t, u.OH);
  let oh = t - n * u.OH;
  return vec3<i32>(i32(oh * u.SH) - i32(u.PT), i32(ow * u.SW) - i32(u.PL), i32(n * u.H));
}

// Index of the first window word of the input pixel at tap (kh, kw) from origin o, or -1 for padding.
fn tap_base(o: vec3<i32>, kh: u32, kw: u32, ws: u32) -> i32 {
  let iy = o.x + i32(kh * u.DH);
  let ix = o.y + i32(kw * u.DW);
  let inside = iy >= 0 && iy < i32(u.H) && ix >= 0 && ix < i32(u.W);
  return select(-1, ((o.z + iy) * i32(u.W) + ix) * i32(u.C4) + i32(ws), inside);
}
