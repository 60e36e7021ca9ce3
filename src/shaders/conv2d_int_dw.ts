/**
 * Depthwise int8 convolution builder (groups == cin == cout; channel multipliers > 1 go through conv2d_w8a8 as a
 * grouped conv). Same bindings and epilogues as conv2d_w8a8 (see INT_CONV_BINDINGS), except:
 *
 *   weights   u32[KH * KW * C4]   packDepthwiseW8: word (kh * KW + kw) * C4 + j, byte i = channel 4j + i
 *
 * Each invocation: `tile.tm` output pixels x 4 channels (tile.tn4 must be 1).
 */
import code from './conv2d_int_dw.wgsl?raw';
import type { ConvShape } from './conv-shape.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import {
  FRAC_BITS, type IntEpilogue, type IntQuantArgs, checkResidual, epilogueConstants, intConvGeometry, intConvUniforms,
} from './conv2d_int_common.ts';
import { type ConvIntParams, INT_CONV_BINDINGS, dotFor, intKernelCode } from './conv2d_w8a8.ts';

/** The depthwise kernel applies: groups == cin == cout. */
export const isDepthwise = (s: ConvShape): boolean => s.groups > 1 && s.groups === s.cin && s.cin === s.cout;

export function conv2dIntDwVariants(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams[] {
  return ([4, 2, 1] as const).map((tm) => ({ tile: { family: 'reg', tm, tn4: 1, wg: caps.software ? 16 : 64 }, dot: dotFor(caps), epilogue }));
}

export function conv2dIntDwKernel(params: ConvIntParams, s: ConvShape, q: IntQuantArgs): KernelSpec {
  if (!isDepthwise(s)) throw new Error(`conv2d_int_dw: needs groups == cin == cout (got ${s.cin}->${s.cout}, groups ${s.groups})`);
  if (params.tile.tn4 !== 1) throw new Error(`conv2d_int_dw: tn4 must be 1 (got ${params.tile.tn4})`);
  const { epilogue, tile } = params;
  const frac = epilogue.out === 'int8' && epilogue.residual ? FRAC_BITS : 0;
  checkResidual('conv2d_int_dw', epilogue, q, frac);
  const g = intConvGeometry(s);
  const { uniforms, invocations } = intConvUniforms(s, g, tile, q);
  return {
    name: 'conv2d_int_dw',
    key: kernelKey('conv2d_int_dw', params),
    code: intKernelCode(code, params.dot),
    entryPoint: 'main',
    constants: { WG: tile.wg, TM: tile.tm, ...epilogueConstants(epilogue, frac) },
    bindings: INT_CONV_BINDINGS,
    dispatch: dispatch1d(ceilDiv(invocations, tile.wg)),
    uniforms,
  };
}
