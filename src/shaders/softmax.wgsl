// Softmax (or LogSoftmax when LOG) along one axis of a f32 tensor viewed as [outer, len, inner]: one thread
// per (outer, inner) lane, three passes over the axis. Numerically stable: exp(x - max).
struct U { lanes: u32, len: u32, inner: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

override WG: u32 = 64u;
override LOG: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let lane = gid.x + gid.y * nwg.x * WG;
  if (lane >= u.lanes) { return; }
  let base = (lane / u.inner) * u.len * u.inner + lane % u.inner;
  var m = input[base];
  for (var j = 1u; j < u.len; j++) { m = max_nan(m, input[base + j * u.inner]); }
  var sum = 0.0;
  // exp(NaN) may not be NaN on every device: carry NaN (a NaN input, or inf - inf) into the sum explicitly.
  for (var j = 0u; j < u.len; j++) { sum += exp_nan(input[base + j * u.inner] - m); }
  let log_sum = log(sum);
  let inv = 1.0 / sum;
  for (var j = 0u; j < u.len; j++) {
    let d = input[base + j * u.inner] - m;
    output[base + j * u.inner] = select(exp_nan(d) * inv, d - log_sum, LOG);
  }
}

fn exp_nan(d: f32) -> f32 {
  return select(exp(d), d, is_nan(d));
}
