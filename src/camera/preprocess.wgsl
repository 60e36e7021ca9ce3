// Camera frame -> model input, in one pass: letterbox (affine resample), channel order, scale/mean/std.
// The same sampling formula as the CPU reference src/pre/preprocess.ts (cv2 INTER_LINEAR, half-pixel centres,
// edge clamp); a model pixel outside the content rectangle is padding. One invocation per model pixel.
//
// Output, f32 (12 bytes per model pixel either way):
//   NCHW (the session's input order):  plane c at [c * H * W], pixel (x, y) at y * W + x
//   NHWC:                               pixel (x, y) at (y * W + x) * 3, channels c0 c1 c2

override WG_X: u32 = 16u;
override WG_Y: u32 = 8u;
override NHWC: bool = false;

struct Uniforms {
  // Inverse letterbox (model pixel -> frame pixel): u = a x + b y + c, v = d x + e y + f.
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32,
  out_w: u32, out_h: u32,
  // Content rectangle [x0, x1) x [y0, y1) in model pixels.
  x0: u32, y0: u32, x1: u32, y1: u32,
  frame_w: u32, frame_h: u32,
  // Frame channel (0 = R, 1 = G, 2 = B) feeding model channel 0, 1, 2.
  src0: u32, src1: u32, src2: u32,
  // out = raw * mul + add, raw in 0..255; `pad` is the raw value of padding pixels.
  mul0: f32, mul1: f32, mul2: f32,
  add0: f32, add1: f32, add2: f32,
  pad: f32,
}

@group(0) @binding(0) var<storage, read_write> output: array<f32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
@group(0) @binding(2) var frame: texture_2d<f32>;

struct Tap { i0: i32, i1: i32, w: f32 }

// Bilinear taps along one axis at continuous coordinate f (pixel centres at integers), clamped like cv2.
fn tap(f: f32, n: i32) -> Tap {
  var i0 = i32(floor(f));
  var w = f - floor(f);
  if (i0 < 0) { i0 = 0; w = 0.0; }
  if (i0 >= n - 1) { i0 = n - 1; w = 0.0; }
  return Tap(i0, min(i0 + 1, n - 1), w);
}

fn texel(x: i32, y: i32) -> vec4<f32> {
  return textureLoad(frame, vec2<i32>(x, y), 0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x = gid.x;
  let y = gid.y;
  if (x >= u.out_w || y >= u.out_h) { return; }
  var raw = vec3<f32>(u.pad);
  if (x >= u.x0 && x < u.x1 && y >= u.y0 && y < u.y1) {
    let px = f32(x) + 0.5;
    let py = f32(y) + 0.5;
    let tx = tap(u.a * px + u.b * py + u.c - 0.5, i32(u.frame_w));
    let ty = tap(u.d * px + u.e * py + u.f - 0.5, i32(u.frame_h));
    let top = (1.0 - tx.w) * texel(tx.i0, ty.i0) + tx.w * texel(tx.i1, ty.i0);
    let bottom = (1.0 - tx.w) * texel(tx.i0, ty.i1) + tx.w * texel(tx.i1, ty.i1);
    // rgba8unorm reads k / 255: back to 0..255.
    let rgba = ((1.0 - ty.w) * top + ty.w * bottom) * 255.0;
    raw = vec3<f32>(rgba[u.src0], rgba[u.src1], rgba[u.src2]);
  }
  let v = raw * vec3<f32>(u.mul0, u.mul1, u.mul2) + vec3<f32>(u.add0, u.add1, u.add2);
  let p = y * u.out_w + x;
  if (NHWC) {
    output[p * 3u] = v.x;
    output[p * 3u + 1u] = v.y;
    output[p * 3u + 2u] = v.z;
  } else {
    let plane = u.out_w * u.out_h;
    output[p] = v.x;
    output[p + plane] = v.y;
    output[p + 2u * plane] = v.z;
  }
}
