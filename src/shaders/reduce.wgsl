// ONNX ReduceMean / ReduceSum / ReduceMax / ReduceMin over any set of axes of a f32 tensor (rank <= 6).
// The input is seen as two index spaces: the kept dims (out_shape, with their input strides) and the reduced
// dims (red_shape, red_stride). One thread per output element walks all `count` reduced elements.
struct U {
  out_shape: array<vec4u, 2>,
  out_stride: array<vec4u, 2>,
  red_shape: array<vec4u, 2>,
  red_stride: array<vec4u, 2>,
  n: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 64u;
override OP: u32 = 0u; // 0 mean, 1 sum, 2 max, 3 min

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var rem = i;
  var base = 0u;
  for (var d = 5u; d < 6u; d--) { // wraps to 0xffffffff after d = 0
    let size = u.out_shape[d / 4u][d % 4u];
    base += (rem % size) * u.out_stride[d / 4u][d % 4u];
    rem /= size;
  }
  var acc = select(0.0, input[base], OP >= 2u);
  for (var r = 0u; r < u.count; r++) {
    var rr = r;
    var off = base;
    for (var d = 5u; d < 6u; d--) {
      let size = u.red_shape[d / 4u][d % 4u];
      off += (rr % size) * u.red_stride[d / 4u][d % 4u];
      rr /= size;
    }
    let x = input[off];
    switch OP {
      case 2u: { acc = max_nan(acc, x); }
      case 3u: { acc = min_nan(acc, x); }
      default: { acc += x; }
    }
  }
  output[i] = select(acc, acc / f32(u.count), OP == 0u);
}
