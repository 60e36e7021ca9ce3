/**
 * Integer GEMM (fully connected / MatMul): C[M][N] = A[M][K] x B[K][N], A int8 per-tensor (asymmetric), B int8
 * symmetric per output column, i32 accumulate, then int8 requant (fixed point) or f32 dequantized output
 * (classifier logits). Runs the conv2d_w8a8 kernel as a 1x1 conv over an 1 x M "image" with K channels, so the
 * layouts are the conv's:
 *
 *   input    u32[M * K4]            A rows, four int8 per word along K (packInt8Activations(a, 1, 1, M, K))
 *   weights  vec4<u32>[K4 * N4]     packGemmW8: vec4 index kw * N4 + nb, lane = column 4nb + l,
 *                                   byte i = B[4kw + i][column]
 *   chan     vec4<u32>[N]           packChannelParams(packGemmW8's OIHW view, N, ...)
 *   output   u32[M * N4] int8, or f32[M * N]
 *
 * (residual, lut, u as in conv2d_w8a8.)
 */
import type { DeviceCaps, KernelSpec } from './kernel.ts';
import { kernelKey } from './kernel.ts';
import { type ConvShape, convShape } from './conv-shape.ts';
import type { IntEpilogue, IntQuantArgs } from './conv2d_int_common.ts';
import { type ConvIntParams, conv2dW8A8Kernel, conv2dW8A8Variants } from './conv2d_w8a8.ts';

export interface GemmDims {
  m: number;
  k: number;
  n: number;
}

/** The conv shape a GEMM runs as. */
export const gemmConvShape = (d: GemmDims): ConvShape => convShape({ n: 1, h: 1, w: d.m, cin: d.k, cout: d.n, kh: 1, kw: 1 });

/** B ([K][N], or [N][K] with transB) as [N][K] = OIHW of the 1x1 conv, for packConvW8 / packChannelParams. */
export function gemmWeightsOIHW(b: Int8Array, d: GemmDims, transB = false): Int8Array {
  if (b.length !== d.k * d.n) throw new Error(`gemm_int8: B has ${b.length} values, expected ${d.k}x${d.n}`);
  if (transB) return b;
  const out = new Int8Array(b.length);
  for (let k = 0; k < d.k; k++) for (let n = 0; n < d.n; n++) out[n * d.k + k] = b[k * d.n + n];
  return out;
}

export function gemmInt8Variants(d: GemmDims, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams[] {
  return conv2dW8A8Variants(gemmConvShape(d), caps, epilogue);
}

export function gemmInt8Kernel(params: ConvIntParams, d: GemmDims, q: IntQuantArgs): KernelSpec {
  const spec = conv2dW8A8Kernel(params, gemmConvShape(d), q);
  return { ...spec, name: 'gemm_int8', key: kernelKey('gemm_int8', params) };
}
