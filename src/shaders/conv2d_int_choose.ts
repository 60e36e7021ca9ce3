/**
 * The untuned choice of an integer conv variant (W8A8 general, depthwise), from the shape and the device. Measured
 * with scripts/bench-int-conv.ts on SwiftShader (see the numbers in its report):
 *
 * - Software devices (one SIMD lane per invocation, dot4I8Packed emulated): the `fma` family, which sums the
 *   int8 products exactly in f32 fma (1 instruction per multiply-accumulate instead of an i32 multiply + add and
 *   the byte unpacking of both operands per dot product): ~1.15-1.3x the `reg` family (CPU time, 56x56x64 and
 *   14x14x256 3x3). Tiles of 4 pixels x 4 channel blocks (best or tied with 4x2 in every measured shape; fewer,
 *   bigger invocations also amortise the per-invocation setup and epilogue of few-channel layers).
 * - Other devices: the `reg` family with dot4I8Packed where available (native DP4A), 4 pixels x 1 block
 *   (unmeasured here: there is no GPU on the development machine; the autotuner can do better).
 * - Depthwise: row tiles of 4 pixels (conv2d_int_dw.wgsl).
 */
import type { ConvShape } from './conv-shape.ts';
import type { DeviceCaps } from './kernel.ts';
import { type IntEpilogue, intConvGeometry } from './conv2d_int_common.ts';
import { type ConvIntParams, dotFor, fmaApplies } from './conv2d_w8a8.ts';
import { isDepthwise } from './conv2d_int_dw.ts';

/** Params for conv2dW8A8Kernel, or conv2dIntDwKernel when `isDepthwise(s)`. */
export function chooseIntVariant(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams {
  const wg = caps.software ? 16 : 64;
  const dot = dotFor(caps);
  if (isDepthwise(s)) return { tile: { family: 'fma', tm: 4, tn4: 1, wg }, dot, epilogue };
  const g = intConvGeometry(s);
  if (caps.software && fmaApplies(s)) {
    const tn4 = s.groups > 1 ? 1 : Math.min(4, g.oc4) as 1 | 2 | 3 | 4;
    return { tile: { family: 'fma', tm: 4, tn4, wg }, dot, epilogue };
  }
  return { tile: { family: 'reg', tm: 4, tn4: 1, wg }, dot, epilogue };
}
