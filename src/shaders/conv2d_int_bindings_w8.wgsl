// Bindings 2..6 of the W8 integer conv kernels (conv2d_w8a8, conv2d_int_fma, conv2d_int_dw, conv2d_int_smem),
// appended by their builders; each kernel declares its own input (0) and weights (1). List: INT_CONV_BINDINGS.
@group(0) @binding(2) var<storage, read> chan: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> residual: array<u32>;
@group(0) @binding(4) var<storage, read> lut: array<u32>;
@group(0) @binding(5) var<storage, read_write> output: array<u32>;
@group(0) @binding(6) var<uniform> u: IntConvU;
