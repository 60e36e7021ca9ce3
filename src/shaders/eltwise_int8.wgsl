// Int8 Add / Mul with numpy broadcasting on packed int8 tensors (last axis = channels, padded to a multiple
// of 4, four per u32; see quantize.wgsl). One thread per output word; each input lane is read by its byte
// index sum_d c_d * stride[d] (strides in bytes, 0 on broadcast dims) + lane * c_step (1, or 0 when the input
// has a single channel). Output padding lanes (channel >= c) hold zp_out.
//   out = table[(qa + 128) * 256 + (qb + 128)]
// where the 64 KiB table (binaryTable in src/quant/onnx-qdq.ts) holds Q(DQ_a(qa) op DQ_b(qb)) computed with ONNX's
// float32 semantics, saturation and fused ReLU clamp included: exact by construction (fixed-point rescaling would
// decide the ties that decimal scales make common differently from float32).
struct U {
  shape: array<vec4u, 2>,
  a_stride: array<vec4u, 2>,
  b_stride: array<vec4u, 2>,
  n: u32,
  c: u32,
  a_step: u32,
  b_step: u32,
  zo: i32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> output: array<u32>;
@group(0) @binding(4) var<uniform> u: U;

override WG: u32 = 256u;

fn byte_a(i: u32) -> i32 { return lane_i8(a[i / 4u], i % 4u); }
fn byte_b(i: u32) -> i32 { return lane_i8(b[i / 4u], i % 4u); }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  var j = 0u; // word index along the channel axis
  for (var d = 5u; d < 6u; d--) { // wraps to 0xffffffff after d = 0
    let size = u.shape[d / 4u][d % 4u];
    let c = rem % size;
    if (d == 5u) { j = c; }
    rem /= size;
    ia += c * u.a_stride[d / 4u][d % 4u];
    ib += c * u.b_stride[d / 4u][d % 4u];
  }
  var r = 0u;
  for (var k = 0u; k < 4u; k++) {
    var q = u.zo;
    if (j * 4u + k < u.c) {
      let e = u32((byte_a(ia + k * u.a_step) + 128) * 256 + byte_b(ib + k * u.b_step) + 128);
      q = lane_i8(table[e >> 2u], e & 3u);
    }
    r |= to_lane(q, k);
  }
  output[i] = r;
}
