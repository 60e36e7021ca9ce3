/**
 * W4A8 convolution builder: int4 weights (per output channel or per group along the reduction, see
 * conv2d_int_pack_w4.ts), int8 activations, i32 dot products, exact fixed-point per-group scaling. Bindings:
 *
 *   input     u32[N * H * W * C4]              int8 activations, zero point z_in
 *   weights   vec4<u32>[(KH * KW * kwr / 2) * OC4]   packConvW4
 *   chan      vec4<u32>[OC]                    packW4Params: bias_fixed
 *   qgroups   vec2<u32>[OC * NG]               packW4Params: per-group (m0, r)
 *   residual  u32[N * OH * OW * OC4]           int8 residual (RES only; otherwise any 16-byte buffer)
 *   lut       u32[16384]                       residual table (RES only; otherwise any 16-byte buffer)
 *   output    u32[N * OH * OW * OC4]           int8 output
 *   u         IntConvU
 *
 * Int8 output only (the f32 dequantized epilogue exists for W8).
 */
import code from './conv2d_w4a8.wgsl?raw';
import nibblesCode from './conv2d_int_w4_nibbles.wgsl?raw';
import type { ConvShape } from './conv-shape.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import {
  FRAC_BITS, type IntQuantArgs, epilogueConstants, intConvGeometry, intConvUniforms, intConvVariants, intKeyParams,
} from './conv2d_int_common.ts';
import { type ConvIntParams, dotFor, intKernelCode } from './conv2d_w8a8.ts';
import type { W4Layout } from './conv2d_int_pack_w4.ts';
import { W4_CONV_BINDINGS } from './conv2d_int_bindings.ts';
import { conv2dW4A8SmemKernel } from './conv2d_w4a8_smem.ts';

export function conv2dW4A8Variants(s: ConvShape, caps: DeviceCaps, epilogue: ConvIntParams['epilogue']): ConvIntParams[] {
  return intConvVariants(s, caps).map((tile) => ({ tile, dot: dotFor(caps), epilogue }));
}

export function conv2dW4A8Kernel(params: ConvIntParams, s: ConvShape, layout: W4Layout, q: IntQuantArgs): KernelSpec {
  const { tile, epilogue } = params;
  if (tile.family === 'smem') return conv2dW4A8SmemKernel({ ...params, tile }, s, layout, q);
  if (epilogue.out !== 'int8') throw new Error('conv2d_w4a8: only the int8 epilogue is implemented');
  if (tile.tn4 > 1 && s.groups > 1) throw new Error(`conv2d_w4a8: tn4=${tile.tn4} needs groups=1 (got ${s.groups})`);
  const g = intConvGeometry(s);
  const { uniforms, invocations } = intConvUniforms(s, g, tile, q, { kwr: layout.kwr, ng: layout.ng, gw: layout.gw, epilogue: params.epilogue });
  return {
    name: 'conv2d_w4a8',
    key: kernelKey('conv2d_w4a8', intKeyParams(params)),
    code: intKernelCode(`${code}\n${nibblesCode}`, params.dot, 'w4'),
    entryPoint: 'main',
    constants: { WG: tile.wg, TM: tile.tm, TN4: tile.tn4, ...epilogueConstants(epilogue, FRAC_BITS, s) },
    bindings: W4_CONV_BINDINGS,
    dispatch: dispatch1d(ceilDiv(invocations, tile.wg)),
    uniforms,
  };
}
