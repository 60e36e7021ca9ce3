// Letterbox + bilinear resize + pixel transform of an RGBA8 frame into a model input (one invocation per
// model pixel). Sampling formula: src/pre/preprocess.ts (cv2 INTER_LINEAR, half-pixel centres, clamped edges).
//
// frame:  one u32 per pixel, row-major src_w x src_h; byte k = channel k (R, G, B, A), i.e. RGBA8 bytes
//         reinterpreted as little-endian u32.
// output, OUT_INT8 = false: f32 NHWC [dst_h, dst_w, 3], stored as the f32 bit patterns.
// output, OUT_INT8 = true:  NHWC, channels padded to 4, one u32 per pixel:
//         byte 0..2 = int8 of model channels 0..2, byte 3 = zero point (the value 0.0).
struct U {
  src_w: u32, src_h: u32, dst_w: u32, dst_h: u32,
  // Content rectangle [x0, x1) x [y0, y1) in model pixels; outside it is padding.
  x0: u32, y0: u32, x1: u32, y1: u32,
  // Inverse letterbox (model pixel -> frame pixel): u = a*x + b*y + c, v = d*x + e*y + f.
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32,
  // Per model channel: out = raw * mul + add (scale, mean, std folded).
  mul0: f32, mul1: f32, mul2: f32, add0: f32, add1: f32, add2: f32,
  pad: f32, inv_scale: f32, zero_point: i32, _p0: u32,
}

@group(0) @binding(0) var<storage, read> frame: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override BGR: bool = false;
override OUT_INT8: bool = false;

fn texel(x: i32, y: i32) -> vec3f {
  let p = frame[u32(y) * u.src_w + u32(x)];
  return vec3f(f32(p & 0xffu), f32((p >> 8u) & 0xffu), f32((p >> 16u) & 0xffu));
}

// Integer tap i0, its neighbour i1 and the weight of i1 along one axis, clamped to the edge as cv2 does.
fn axis_taps(f: f32, n: u32) -> vec3f {
  var i0 = i32(floor(f));
  var w = f - floor(f);
  let last = i32(n) - 1;
  if (i0 < 0) { i0 = 0; w = 0.0; }
  if (i0 >= last) { i0 = last; w = 0.0; }
  return vec3f(f32(i0), f32(min(i0 + 1, last)), w);
}

fn sample_frame(x: u32, y: u32) -> vec3f {
  let px = f32(x) + 0.5;
  let py = f32(y) + 0.5;
  let tx = axis_taps(u.a * px + u.b * py + u.c - 0.5, u.src_w);
  let ty = axis_taps(u.d * px + u.e * py + u.f - 0.5, u.src_h);
  let top = mix(texel(i32(tx.x), i32(ty.x)), texel(i32(tx.y), i32(ty.x)), tx.z);
  let bottom = mix(texel(i32(tx.x), i32(ty.y)), texel(i32(tx.y), i32(ty.y)), tx.z);
  return mix(top, bottom, ty.z);
}

fn quantize(v: f32) -> u32 {
  let q = clamp(i32(round(v * u.inv_scale)) + u.zero_point, -128, 127);
  return u32(q) & 0xffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let x = gid.x;
  let y = gid.y;
  if (x >= u.dst_w || y >= u.dst_h) { return; }
  var raw = vec3f(u.pad);
  if (x >= u.x0 && x < u.x1 && y >= u.y0 && y < u.y1) { raw = sample_frame(x, y); }
  if (BGR) { raw = raw.zyx; }
  let v = raw * vec3f(u.mul0, u.mul1, u.mul2) + vec3f(u.add0, u.add1, u.add2);
  let pixel = y * u.dst_w + x;
  if (OUT_INT8) {
    output[pixel] = quantize(v.x) | (quantize(v.y) << 8u) | (quantize(v.z) << 16u) | ((u32(u.zero_point) & 0xffu) << 24u);
  } else {
    output[pixel * 3u] = bitcast<u32>(v.x);
    output[pixel * 3u + 1u] = bitcast<u32>(v.y);
    output[pixel * 3u + 2u] = bitcast<u32>(v.z);
  }
}
