/**
 * The untuned choice of an integer conv variant (W8A8 general, depthwise), from the shape and the device. Measured
 * with scripts/bench-int-conv.ts on SwiftShader (see the numbers in its report):
 *
 * - Software devices (one SIMD lane per invocation, dot4I8Packed emulated): the `fma` family, which sums the
 *   int8 products exactly in f32 fma (1 instruction per multiply-accumulate instead of an i32 multiply + add and
 *   the byte unpacking of both operands per dot product). Tiles of 4 pixels; 4 channel blocks when the reduction
 *   is short (few channels: the per-invocation setup and epilogue dominate, so fewer, bigger invocations win),
 *   else 2 blocks (4x4 spills accumulators when the f32 sums flush to i32 often).
 * - Other devices: the `reg` family with dot4I8Packed where available (native DP4A), 4 pixels x 1 block
 *   (unmeasured here: there is no GPU on the development machine; the autotuner can do better).
 * - Depthwise: row tiles of 4 pixels (conv2d_int_dw.wgsl).
 */
import type { ConvShape } from './conv-shape.ts';
import type { DeviceCaps } from './kernel.ts';
import { type IntEpilogue, intConvGeometry } from './conv2d_int_common.ts';
import { type ConvIntParams, dotFor, fmaApplies } from './conv2d_w8a8.ts';
import { isDepthwise } from './conv2d_int_dw.ts';

/** Reduction length (packed words per output) up to which the fma family uses 4 channel blocks per invocation. */
const SHORT_REDUCTION_WORDS = 96;

/** Params for conv2dW8A8Kernel, or conv2dIntDwKernel when `isDepthwise(s)`. */
export function chooseIntVariant(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams {
  const wg = caps.software ? 16 : 64;
  const dot = dotFor(caps);
  if (isDepthwise(s)) return { tile: { family: 'fma', tm: 4, tn4: 1, wg }, dot, epilogue };
  const g = intConvGeometry(s);
  if (caps.software && fmaApplies(s)) {
    const words = s.kh * s.kw * g.kwin;
    const tn4 = s.groups > 1 ? 1 : Math.min(words <= SHORT_REDUCTION_WORDS ? 4 : 2, g.oc4) as 1 | 2 | 4;
    return { tile: { family: 'fma', tm: 4, tn4, wg }, dot, epilogue };
  }
  return { tile: { family: 'reg', tm: 4, tn4: 1, wg }, dot, epilogue };
}
