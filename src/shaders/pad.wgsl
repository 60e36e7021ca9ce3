// ONNX Pad over 32-bit words, rank <= 6: output coordinate c maps to input coordinate c - pad_begin[d], and
// coordinates outside [0, in_shape[d]) are resolved by MODE:
//   0 constant: the whole word is `value` (f32 bits, or four copies of the zero point for packed int8)
//   1 reflect:  mirror without repeating the edge (period 2 * (size - 1)), as numpy 'reflect'
//   2 edge:     clamp to the nearest edge
// Negative pads crop (the mapping is the same).
struct U {
  out_shape: array<vec4u, 2>,
  in_shape: array<vec4u, 2>,
  in_stride: array<vec4u, 2>,
  pad_begin: array<vec4i, 2>,
  n: u32,
  value: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 256u;
override MODE: u32 = 0u;

fn reflect_index(c: i32, size: i32) -> i32 {
  if (size == 1) { return 0; }
  let period = 2 * (size - 1);
  let m = ((c % period) + period) % period;
  return select(m, period - m, m >= size);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var rem = i;
  var src = 0u;
  for (var d = 5u; d < 6u; d--) { // wraps to 0xffffffff after d = 0
    let size = u.out_shape[d / 4u][d % 4u];
    let in_size = i32(u.in_shape[d / 4u][d % 4u]);
    var c = i32(rem % size) - u.pad_begin[d / 4u][d % 4u];
    rem /= size;
    if (c < 0 || c >= in_size) {
      if (MODE == 0u) { output[i] = u.value; return; }
      c = select(min(max(c, 0), in_size - 1), reflect_index(c, in_size), MODE == 1u);
    }
    src += u32(c) * u.in_stride[d / 4u][d % 4u];
  }
  output[i] = input[src];
}
