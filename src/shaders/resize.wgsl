// ONNX Resize on NHWC: input [N, H, W, C] -> output [N, OH, OW, C]. All coordinate arithmetic (coordinate
// transformation mode, nearest rounding, clamping) is done once on the CPU into `coords` (resize.ts):
//   coords[oy]      = (y0, y1, bits of wy, 0)   for oy < OH
//   coords[OH + ox] = (x0, x1, bits of wx, 0)   for ox < OW
// so the GPU never has to agree with the CPU on a floor() of a float. Nearest (LINEAR = false) copies words
// (f32 or packed int8, C counted in words); linear blends the four f32 neighbours.
struct U { n: u32, h: u32, w: u32, c: u32, oh: u32, ow: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> coords: array<vec4u>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;
@group(0) @binding(3) var<uniform> u: U;

override WG: u32 = 256u;
override LINEAR: bool = false;

fn at(b: u32, y: u32, x: u32, c: u32) -> u32 {
  return input[((b * u.h + y) * u.w + x) * u.c + c];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= u.n) { return; }
  let c = i % u.c;
  let ox = (i / u.c) % u.ow;
  let oy = (i / (u.c * u.ow)) % u.oh;
  let b = i / (u.c * u.ow * u.oh);
  let cy = coords[oy];
  let cx = coords[u.oh + ox];
  if (!LINEAR) {
    output[i] = at(b, cy.x, cx.x, c);
    return;
  }
  let wy = bitcast<f32>(cy.z);
  let wx = bitcast<f32>(cx.z);
  let top = mix(bitcast<f32>(at(b, cy.x, cx.x, c)), bitcast<f32>(at(b, cy.x, cx.y, c)), wx);
  let bottom = mix(bitcast<f32>(at(b, cy.y, cx.x, c)), bitcast<f32>(at(b, cy.y, cx.y, c)), wx);
  output[i] = bitcast<u32>(mix(top, bottom, wy));
}
