// Bindings 1..7 of the W4A8 kernels (conv2d_w4a8, conv2d_w4a8_smem), appended by their builders; the input (0)
// is declared by the kernel or its smem loader. List: W4_CONV_BINDINGS.
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> chan: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> qgroups: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> residual: array<u32>;
@group(0) @binding(5) var<storage, read> lut: array<u32>;
@group(0) @binding(6) var<storage, read_write> output: array<u32>;
@group(0) @binding(7) var<uniform> u: IntConvU;
