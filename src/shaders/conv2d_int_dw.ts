/**
 * Depthwise int8 convolution builder (groups == cin == cout; channel multipliers > 1 go through conv2d_w8a8 as a
 * grouped conv). Same bindings and epilogues as conv2d_w8a8 (see INT_CONV_BINDINGS), except:
 *
 *   weights   u32[KH * KW * C4]   packDepthwiseW8: word (kh * KW + kw) * C4 + j, byte i = channel 4j + i
 *
 * Each invocation: `tile.tm` consecutive output pixels of one row x 4 channels (tile.tn4 must be 1), summed with
 * exact f32 fma (the tile family is ignored). 3-wide kernels with stride 1 or 2 reuse loaded columns across taps.
 */
import code from './conv2d_int_dw.wgsl?raw';
import type { ConvShape } from './conv-shape.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import {
  type IntEpilogue, type IntQuantArgs, epilogueConstants, intConvGeometry, intConvUniforms, intKeyParams,
} from './conv2d_int_common.ts';
import { type ConvIntParams, INT_CONV_BINDINGS, dotFor, intKernelCode } from './conv2d_w8a8.ts';

/** The depthwise kernel applies: groups == cin == cout. */
export const isDepthwise = (s: ConvShape): boolean => s.groups > 1 && s.groups === s.cin && s.cin === s.cout;

export function conv2dIntDwVariants(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams[] {
  return ([4, 2, 1] as const).map((tm) => ({ tile: { family: 'fma', tm, tn4: 1, wg: caps.software ? 16 : 64 }, dot: dotFor(caps), epilogue }));
}

/** f32 sums of int8 products are exact up to 1024 taps (|x * w| < 2^14, sums < 2^24). */
const MAX_TAPS = 1024;

export function conv2dIntDwKernel(params: ConvIntParams, s: ConvShape, q: IntQuantArgs): KernelSpec {
  if (!isDepthwise(s)) throw new Error(`conv2d_int_dw: needs groups == cin == cout (got ${s.cin}->${s.cout}, groups ${s.groups})`);
  if (params.tile.family === 'smem') throw new Error('conv2d_int_dw: the smem family needs groups == 1');
  if (params.tile.tn4 !== 1) throw new Error(`conv2d_int_dw: tn4 must be 1 (got ${params.tile.tn4})`);
  if (s.kh * s.kw > MAX_TAPS) throw new Error(`conv2d_int_dw: ${s.kh}x${s.kw} kernel has more than ${MAX_TAPS} taps`);
  const { epilogue, tile } = params;
  const g = intConvGeometry(s);
  // Tiles run along output rows: M_TILES = n * outH * ceil(outW / tm).
  const mTiles = s.n * g.outH * ceilDiv(g.outW, tile.tm);
  const { uniforms } = intConvUniforms(s, g, tile, q, { mTiles, epilogue: params.epilogue });
  const row3 = s.kw === 3 && s.dilationW === 1 && (s.strideW === 1 || s.strideW === 2);
  return {
    name: 'conv2d_int_dw',
    key: kernelKey('conv2d_int_dw', intKeyParams(params)),
    code: intKernelCode(code, params.dot),
    entryPoint: 'main',
    constants: { WG: tile.wg, TM: tile.tm, ROW3: row3 ? 1 : 0, SX: row3 ? s.strideW : 1, ...epilogueConstants(epilogue, 0, s) },
    bindings: INT_CONV_BINDINGS,
    dispatch: dispatch1d(ceilDiv(mTiles * g.oc4, tile.wg)),
    uniforms,
  };
}
