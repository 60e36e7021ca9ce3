/**
 * W4A8 GEMM: A int8 per-tensor, B int4 per column (and per group along K), exact fixed-point group scaling,
 * int8 output. Runs conv2d_w4a8 as a 1x1 conv over a 1 x M image (see gemm_int8.ts for the A layout);
 * B packs with packConvW4(gemmWeightsOIHW(b, dims, transB), gemmConvShape(dims), w4Layout(...)).
 */
import type { DeviceCaps, KernelSpec } from './kernel.ts';
import { kernelKey } from './kernel.ts';
import type { IntQuantArgs } from './conv2d_int_common.ts';
import type { ConvIntParams } from './conv2d_w8a8.ts';
import { conv2dW4A8Kernel, conv2dW4A8Variants } from './conv2d_w4a8.ts';
import { type W4Layout, w4Layout } from './conv2d_int_pack_w4.ts';
import { type GemmDims, gemmConvShape } from './gemm_int8.ts';

/** Int4 layout of B for a group size along K (undefined: per column). */
export const gemmW4Layout = (d: GemmDims, groupSize?: number): W4Layout => w4Layout(gemmConvShape(d), groupSize);

export function gemmW4A8Variants(d: GemmDims, caps: DeviceCaps, epilogue: ConvIntParams['epilogue']): ConvIntParams[] {
  return conv2dW4A8Variants(gemmConvShape(d), caps, epilogue);
}

export function gemmW4A8Kernel(params: ConvIntParams, d: GemmDims, layout: W4Layout, q: IntQuantArgs): KernelSpec {
  const spec = conv2dW4A8Kernel(params, gemmConvShape(d), layout, q);
  return { ...spec, name: 'gemm_w4a8', key: kernelKey('gemm_w4a8', params) };
}
