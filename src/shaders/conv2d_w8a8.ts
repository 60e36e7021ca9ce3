/**
 * W8A8 convolution builder (any kernel size, stride, padding, dilation, groups). Inputs:
 *
 *   input     u32[N * H * W * C4]         int8 activations (pack-int.ts), zero point z_in
 *   weights   vec4<u32>[K * OC4]          packConvW8 (pack-int.ts), K = KH * KW * kwin
 *   chan      vec4<u32>[OC]               packChannelParams: bias', m0 (f32 bias with f32/qact out), r, dequant scale
 *   residual  u32[N * OH * OW * OC4]      int8 residual (RES only; otherwise any 16-byte buffer)
 *   lut       u32[16384]                  residual table (addTable, quant/onnx-qdq.ts; RES only; otherwise any 16-byte buffer)
 *   output    u32[N * OH * OW * OC4]      int8 output (`int8`, `qact`), or f32[N * OH * OW * OC] with `out: 'f32'`
 *   u         IntConvU                    uniforms (intConvUniforms)
 *
 * The accumulator is i32 (dot4I8Packed or the shift fallback); requant is fixed-point (requant.wgsl).
 */
import code from './conv2d_w8a8.wgsl?raw';
import fmaCode from './conv2d_int_fma.wgsl?raw';
import storeCode from './conv2d_int_store.wgsl?raw';
import commonCode from './conv2d_int_common.wgsl?raw';
import dotPacked from './conv2d_int_dot_packed.wgsl?raw';
import dotFallback from './conv2d_int_dot_fallback.wgsl?raw';
import requantCode from './requant.wgsl?raw';
import quantizeDivCode from './quantize-div.wgsl?raw';
import fixedPointCode from './fixedpoint.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import type { ConvShape } from './conv-shape.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import {
  type IntEpilogue, type IntQuantArgs, type IntTile, epilogueConstants, intConvGeometry,
  intConvUniforms, intConvVariants, intKeyParams,
} from './conv2d_int_common.ts';
import { conv2dIntSmemKernel } from './conv2d_int_smem.ts';
import { INT_BINDINGS_CODE, INT_CONV_BINDINGS } from './conv2d_int_bindings.ts';

/** `packed`: dot4I8Packed (caps.packedDot); `fallback`: shifts and multiplies. */
export type DotImpl = 'packed' | 'fallback';

export interface ConvIntParams {
  tile: IntTile;
  dot: DotImpl;
  epilogue: IntEpilogue;
}

/** The dot-product implementation to use on a device. */
export const dotFor = (caps: Pick<DeviceCaps, 'packedDot'>): DotImpl => (caps.packedDot ? 'packed' : 'fallback');

/** WGSL helpers of an integer kernel, in the order they are appended after the kernel's own code (`layout`: its shared bindings). */
export function intKernelCode(main: string, dot: DotImpl, layout: keyof typeof INT_BINDINGS_CODE = 'w8'): string {
  return [main, INT_BINDINGS_CODE[layout], commonCode, dot === 'packed' ? dotPacked : dotFallback, fixedPointCode, requantCode, quantizeDivCode, nanCode, activationCode, storeCode].join('\n');
}

export { INT_CONV_BINDINGS };

/** Byte size of the int8 (packed) or f32 output of an integer conv. */
export function intConvOutputBytes(s: ConvShape, e: IntEpilogue): number {
  const g = intConvGeometry(s);
  return e.out === 'f32' ? g.m * s.cout * 4 : g.m * g.oc4 * 4;
}

/** Dot implementations worth timing: SwiftShader emulates dot4I8Packed and the shift fallback is often faster. */
export const dotCandidates = (caps: Pick<DeviceCaps, 'packedDot'>): DotImpl[] => (caps.packedDot ? ['packed', 'fallback'] : ['fallback']);

/** Words of packed input summed exactly in f32 by the `fma` family before a flush to i32 (1024 products < 2^24). */
export const FMA_CHUNK_WORDS = 256;

/** Whether the `fma` family can run `s`: one tap's channel window must fit in a chunk, and groups == 1 for tn4 > 1. */
export const fmaApplies = (s: ConvShape): boolean => intConvGeometry(s).kwin <= FMA_CHUNK_WORDS;

/** Candidate params for the autotuner: `reg` tiles x dot implementations, then `fma` tiles. */
export function conv2dW8A8Variants(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams[] {
  const out = intConvVariants(s, caps).flatMap((tile) => dotCandidates(caps).map((dot) => ({ tile, dot, epilogue })));
  if (!fmaApplies(s)) return out;
  const tn4s: IntTile['tn4'][] = s.groups > 1 ? [1] : [1, 2, 4].filter((t) => t === 1 || s.cout > 4 * (t / 2)) as IntTile['tn4'][];
  for (const tm of [4, 2] as const) {
    for (const tn4 of tn4s) out.push({ tile: { family: 'fma', tm, tn4, wg: caps.software ? 16 : 64 }, dot: dotFor(caps), epilogue });
  }
  return out;
}

export function conv2dW8A8Kernel(params: ConvIntParams, s: ConvShape, q: IntQuantArgs): KernelSpec {
  const { tile, epilogue } = params;
  if (tile.family === 'smem') return conv2dIntSmemKernel({ ...params, tile }, s, q);
  if (tile.tn4 > 1 && s.groups > 1) throw new Error(`conv2d_w8a8: tn4=${tile.tn4} needs groups=1 (got ${s.groups})`);
  if (tile.family === 'reg' && tile.tn4 > 2) throw new Error(`conv2d_w8a8: reg tiles have tn4 <= 2 (got ${tile.tn4})`);
  const g = intConvGeometry(s);
  if (tile.family === 'fma' && !fmaApplies(s)) {
    throw new Error(`conv2d_w8a8: fma tiles need <= ${FMA_CHUNK_WORDS * 4} input channels per group (got ${g.cinG})`);
  }
  // fma: taps per exact f32 chunk, passed as KWR.
  const extra = tile.family === 'fma' ? { kwr: Math.max(1, Math.floor(FMA_CHUNK_WORDS / g.kwin)) } : {};
  const { uniforms, invocations } = intConvUniforms(s, g, tile, q, { ...extra, epilogue });
  return {
    name: 'conv2d_w8a8',
    key: kernelKey('conv2d_w8a8', intKeyParams(params)),
    code: intKernelCode(tile.family === 'fma' ? fmaCode : code, params.dot),
    entryPoint: 'main',
    constants: { WG: tile.wg, TM: tile.tm, TN4: tile.tn4, ...epilogueConstants(epilogue, 0, s) },
    bindings: INT_CONV_BINDINGS,
    dispatch: dispatch1d(ceilDiv(invocations, tile.wg)),
    uniforms,
  };
}
