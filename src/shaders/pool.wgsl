// MaxPool / AveragePool on f32 NHWC [N, H, W, C] -> [N, OH, OW, C], one thread per output element.
// Window tap (ky, kx) reads input row y = oy * sh - pad_top + ky * dh (same for x). Taps outside the input
// are skipped; for average with COUNT_PAD they still count while inside the padded extent
// [-pad_top, h + pad_bottom) (taps beyond it, which only ceil_mode creates, never count), as in ONNX/PyTorch.
struct U {
  n: u32, h: u32, w: u32, c: u32,
  oh: u32, ow: u32, kh: u32, kw: u32,
  sh: u32, sw: u32, dh: u32, dw: u32,
  pad_top: i32, pad_left: i32, h_end: i32, w_end: i32, // h_end = h + pad_bottom, w_end = w + pad_right
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 64u;
override MAX: bool = true;
override COUNT_PAD: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let c = i % u.c;
  let ox = (i / u.c) % u.ow;
  let oy = (i / (u.c * u.ow)) % u.oh;
  let b = i / (u.c * u.ow * u.oh);
  let y0 = i32(oy * u.sh) - u.pad_top;
  let x0 = i32(ox * u.sw) - u.pad_left;
  var m = -3.402823e38;
  var sum = 0.0;
  var count = 0u;
  for (var ky = 0u; ky < u.kh; ky++) {
    let y = y0 + i32(ky * u.dh);
    for (var kx = 0u; kx < u.kw; kx++) {
      let x = x0 + i32(kx * u.dw);
      let inside = y >= 0 && y < i32(u.h) && x >= 0 && x < i32(u.w);
      if (inside) {
        let v = input[((b * u.h + u32(y)) * u.w + u32(x)) * u.c + c];
        m = max_nan(m, v);
        sum += v;
        count += 1u;
      } else if (COUNT_PAD && y < u.h_end && x < u.w_end) {
        count += 1u;
      }
    }
  }
  output[i] = select(sum / f32(max(count, 1u)), m, MAX);
}
