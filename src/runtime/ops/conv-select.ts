/**
 * The untuned choice of a conv kernel variant from the shape and the device: float (conv2d_f32 / conv2d_wo tiles,
 * `defaultConvVariant`) and integer (W8A8 general, depthwise, W4A8), and the integer candidates the autotuner
 * times. The one place where the runtime picks conv tiles; the kernel builders in src/shaders only build them.
 *
 * Integer convs: Measured with scripts/bench-int-conv.ts on SwiftShader:
 *
 * - Software devices (one SIMD lane per invocation, dot4I8Packed emulated, barriers expensive): the `fma`
 *   family, which sums the int8 products exactly in f32 fma: ~1.15-1.3x the `reg` family (CPU time, 56x56x64 and
 *   14x14x256 3x3). Tiles of 4 pixels x 4 channel blocks.
 * - Hardware adapters: the `smem` family (workgroup-memory implicit GEMM, conv2d_int_smem.ts) for groups == 1,
 *   64 pixels x 64-128 channels: >= 32 MAC per global byte where `reg` has 2-3 (conv2d_int_traffic.ts). Not
 *   measured here (no GPU on the development machine): the autotuner times it against the others per device.
 * - On hardware adapters, dot4I8Packed by default only where it has a hardware path: not on Apple GPUs, which
 *   emulate it (onnxruntime-web turns dp4a off there too). Software adapters keep their measured choice.
 * - Depthwise: row tiles of 4 pixels (conv2d_int_dw.wgsl).
 */
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { DeviceCaps } from '../../shaders/kernel.ts';
import { type Conv2dF32Variant, convFamilies } from '../../shaders/conv2d_f32.ts';
import { type IntEpilogue, intConvGeometry } from '../../shaders/conv2d_int_common.ts';
import { type ConvIntParams, type DotImpl, conv2dW8A8Variants, dotCandidates, dotFor, fmaApplies } from '../../shaders/conv2d_w8a8.ts';
import { conv2dIntDwVariants, isDepthwise } from '../../shaders/conv2d_int_dw.ts';
import { defaultSmemTile, smemApplies, smemTiles } from '../../shaders/conv2d_int_smem.ts';
import { conv2dW4A8Variants } from '../../shaders/conv2d_w4a8.ts';
import { smemW4Fits } from '../../shaders/conv2d_w4a8_smem.ts';
import type { W4Layout } from '../../shaders/conv2d_int_pack_w4.ts';

/** Adapters whose dot4I8Packed is emulated in the shader compiler (by vendor in the adapter key). */
const EMULATED_DOT = /apple/i;

/** Whether dot4I8Packed has a hardware path: exposed, not a software adapter, not a vendor that emulates it. */
export const hardwareDot = (caps: Pick<DeviceCaps, 'packedDot' | 'software' | 'adapterKey'>): boolean =>
  caps.packedDot && !caps.software && !EMULATED_DOT.test(caps.adapterKey);

/** The dot product of the untuned defaults: the measured choice on software adapters, hardware DP4A elsewhere. */
const defaultDot = (caps: DeviceCaps): DotImpl => (caps.software ? dotFor(caps) : hardwareDot(caps) ? 'packed' : 'fallback');

/** Params for conv2dW8A8Kernel, or conv2dIntDwKernel when `isDepthwise(s)`. */
export function chooseIntVariant(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams {
  const wg = caps.software ? 16 : 64;
  const dot = defaultDot(caps);
  if (isDepthwise(s)) return { tile: { family: 'fma', tm: 4, tn4: 1, wg }, dot, epilogue };
  const g = intConvGeometry(s);
  if (caps.software && fmaApplies(s)) {
    const tn4 = s.groups > 1 ? 1 : Math.min(4, g.oc4) as 1 | 2 | 3 | 4;
    return { tile: { family: 'fma', tm: 4, tn4, wg }, dot, epilogue };
  }
  if (!caps.software && smemApplies(s)) return { tile: defaultSmemTile(s), dot, epilogue };
  return { tile: { family: 'reg', tm: 4, tn4: 1, wg }, dot, epilogue };
}

/** Untuned W4A8 params: the smem family on hardware adapters when its quant groups end at stage ends. */
export function chooseW4Variant(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue, layout: W4Layout): ConvIntParams {
  const dot = defaultDot(caps);
  const smem = defaultSmemTile(s);
  if (!caps.software && smemApplies(s) && smemW4Fits(s, layout, smem)) return { tile: smem, dot, epilogue };
  return { ...conv2dW4A8Variants(s, caps, epilogue)[0], dot };
}

/**
 * Everything the autotuner times for a W8A8 layer: depthwise rows, or the register families x dot products and
 * the smem tiles (on software adapters one smem tile only: each compiles for seconds there and loses).
 */
export function intCandidates(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams[] {
  if (isDepthwise(s)) return conv2dIntDwVariants(s, caps, epilogue);
  const out = conv2dW8A8Variants(s, caps, epilogue);
  const tiles = caps.software ? smemTiles(s, caps).slice(0, 1) : smemTiles(s, caps);
  const dots = caps.software ? [dotFor(caps)] : dotCandidates(caps);
  for (const tile of tiles) for (const dot of dots) out.push({ tile, dot, epilogue });
  return out;
}

/** Everything the autotuner times for a W4A8 layer: register tiles, and smem tiles whose groups fit. */
export function w4Candidates(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue, layout: W4Layout): ConvIntParams[] {
  const out = conv2dW4A8Variants(s, caps, epilogue);
  const tiles = smemTiles(s, caps).filter((t) => smemW4Fits(s, layout, t));
  for (const tile of caps.software ? tiles.slice(0, 1) : tiles) for (const dot of dotCandidates(caps)) out.push({ tile, dot, epilogue });
  return out;
}

/** The cheap choice when tuning is off: specialised kernels first, then register tiles on software devices. */
export function defaultConvVariant(shape: ConvShape, caps: DeviceCaps): Conv2dF32Variant {
  const fams = convFamilies(shape);
  if (fams.includes('dw')) return { family: 'dw', tm: 4, wg: 64 };
  if (fams.includes('1x1')) return { family: '1x1', tm: 4, tn4: 2, wg: 64 };
  // Wider channel tiles amortise the input loads once there are enough output channels (bench-kernels.ts).
  if (caps.software) return { family: 'reg', tm: 4, tn4: shape.cout / shape.groups >= 128 ? 4 : 2, wg: 64 };
  return { family: 'shared', tm: 4, tn4: 1, wgx: 8, wgy: 8, bk: 16 };
}
