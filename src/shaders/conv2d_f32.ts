/**
 * Float Conv2D kernels (NHWC f32 activations): fp32 weights, fp16 weights, and (via conv2d_wo.ts) weight-only
 * int8/int4. Four families share one weight layout (pack-float.ts) except depthwise, which has its own:
 *
 * | family   | WGSL                     | use                                                      |
 * |----------|--------------------------|----------------------------------------------------------|
 * | `reg`    | conv2d_f32_reg.wgsl      | any conv; register tiles, no barriers (software devices)  |
 * | `shared` | conv2d_f32_shared.wgsl   | any conv; workgroup-memory tiles (discrete GPUs)          |
 * | `dw`     | conv2d_f32_dw.wgsl       | depthwise, multiplier 1 (`isDepthwise`), depthwise layout |
 * | `1x1`    | conv2d_f32_1x1.wgsl      | 1x1, stride 1, no padding, groups 1 (GEMM)                |
 *
 * Buffers (bindings in this order):
 * - `input`: f32 NHWC [n][h][w][cin].
 * - `weights`: `packConvWeightsF32` (or `packDepthwiseWeightsF32` for `dw`); f16 formats: `packF16Pairs` of it.
 * - `scales` (weight-only only): see conv2d_wo.ts.
 * - `bias`: f32[cout] (`packBias`, zeros when the layer has none).
 * - `residual` (when `params.residual`): f32 NHWC [n][outH][outW][cout], same layout as the output.
 * - `output`: f32 NHWC [n][outH][outW][cout]; `u`: uniforms (from the spec).
 *
 * Fusion order: output = act(conv + bias + residual), the ONNX pattern Relu(Add(Conv(x), skip)).
 */
import regCode from './conv2d_f32_reg.wgsl?raw';
import sharedCode from './conv2d_f32_shared.wgsl?raw';
import dwCode from './conv2d_f32_dw.wgsl?raw';
import oneByOneCode from './conv2d_f32_1x1.wgsl?raw';
import tileCode from './conv2d_f32_tile.wgsl?raw';
import { type Activation, activationConstants } from './activation.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import { type ConvShape, convOutSize } from './conv-shape.ts';
import {
  type ScaleBlocks, type WeightFormat, assembleConv, convUniforms, coutGroupPadded, reductionLength, woConstants,
} from './conv2d_f32_common.ts';
import { isDepthwise, packConvWeightsF32, packDepthwiseWeightsF32, packF16Pairs } from './pack-float.ts';

/** Register tile: `tm` (1..4) output pixels x `tn4` (1..4) vec4 output channels per invocation; `wg` invocations. */
export interface RegTile {
  tm: number;
  tn4: number;
  wg: number;
}

export type Conv2dF32Variant =
  | ({ family: 'reg' } & RegTile)
  | ({ family: '1x1' } & RegTile)
  /** Workgroup tile (tm * wgy) pixels x (tn4 * wgx) vec4 channels, reduction chunks of `bk`; tm 1..8, tn4 1..4. */
  | { family: 'shared'; tm: number; tn4: number; wgx: number; wgy: number; bk: number }
  /** `tm` (1..4) output pixels of a row x 4 channels per invocation. */
  | { family: 'dw'; tm: number; wg: number };

export interface Conv2dF32Params {
  act?: Activation;
  /** Fuse `+ residual` before the activation (adds the `residual` binding). */
  residual?: boolean;
  /** Default `f32`. `f16` needs caps.f16; `f16pack` works everywhere. */
  weights?: Exclude<WeightFormat, 'w8' | 'w4'>;
  /** The tile family and sizes: chosen by the runtime (runtime/ops/conv-select.ts `defaultConvVariant`, or tuned). */
  variant: Conv2dF32Variant;
}

/** Which families can run `shape`. */
export function convFamilies(shape: ConvShape): Conv2dF32Variant['family'][] {
  const fams: Conv2dF32Variant['family'][] = ['reg', 'shared'];
  if (isDepthwise(shape)) fams.push('dw');
  const pointwise = shape.kh === 1 && shape.kw === 1 && shape.strideH === 1 && shape.strideW === 1;
  const unpadded = shape.padTop + shape.padLeft + shape.padBottom + shape.padRight === 0;
  if (pointwise && unpadded && shape.groups === 1) fams.push('1x1');
  return fams;
}

function checkVariant(shape: ConvShape, v: Conv2dF32Variant, caps: DeviceCaps): void {
  if (!convFamilies(shape).includes(v.family)) {
    throw new Error(`conv2d_f32: variant ${v.family} cannot run ${shape.kh}x${shape.kw} groups=${shape.groups} ${shape.cin}->${shape.cout}`);
  }
  const maxTm = v.family === 'shared' ? 8 : 4;
  if (v.tm < 1 || v.tm > maxTm) throw new Error(`conv2d_f32: ${v.family} tm=${v.tm} outside 1..${maxTm}`);
  if ('tn4' in v && (v.tn4 < 1 || v.tn4 > 4)) throw new Error(`conv2d_f32: tn4=${v.tn4} outside 1..4`);
  const threads = v.family === 'shared' ? v.wgx * v.wgy : v.wg;
  if (threads > caps.maxInvocations) throw new Error(`conv2d_f32: ${threads} invocations > device limit ${caps.maxInvocations}`);
  if (v.family === 'shared' && 4 * v.bk * (v.tm * v.wgy + 4 * v.tn4 * v.wgx) > caps.maxWorkgroupStorage) {
    throw new Error(`conv2d_f32: shared tiles of ${JSON.stringify(v)} exceed ${caps.maxWorkgroupStorage} bytes`);
  }
}

/** Override constants and workgroup count of `v` for `shape` (format only changes the padding of cout). */
function launch(shape: ConvShape, v: Conv2dF32Variant, format: WeightFormat): {
  constants: Record<string, number>;
  dispatch: [number, number, number];
} {
  const { outH, outW } = convOutSize(shape);
  const pixels = shape.n * outH * outW;
  if (v.family === 'dw') {
    const cg4 = coutGroupPadded({ ...shape, groups: 1 }, format) / 4;
    const threads = cg4 * ceilDiv(outW, v.tm) * outH * shape.n;
    return { constants: { WG: v.wg, TM: v.tm }, dispatch: dispatch1d(ceilDiv(threads, v.wg)) };
  }
  const cg4 = coutGroupPadded(shape, format) / 4;
  if (v.family === 'shared') {
    const blocks = ceilDiv(pixels, v.tm * v.wgy) * shape.groups * ceilDiv(cg4, v.tn4 * v.wgx);
    return { constants: { WGX: v.wgx, WGY: v.wgy, TM: v.tm, TN4: v.tn4, BK: v.bk }, dispatch: dispatch1d(blocks) };
  }
  const threads = ceilDiv(pixels, v.tm) * shape.groups * ceilDiv(cg4, v.tn4);
  return { constants: { WG: v.wg, TM: v.tm, TN4: v.tn4 }, dispatch: dispatch1d(ceilDiv(threads, v.wg)) };
}

// The register families share their 4x4 tile's accumulate and store code (conv2d_f32_tile.wgsl).
const bodies: Record<Conv2dF32Variant['family'], string> = {
  reg: `${regCode}\n${tileCode}`, shared: sharedCode, dw: dwCode, '1x1': `${oneByOneCode}\n${tileCode}`,
};

/**
 * Shared by conv2dF32Kernel and conv2dWoKernel: builds the spec of `variant` for `format`.
 * The depthwise family reads its weights as one group of `cout` channels.
 */
export function convKernelSpec(
  name: string,
  shape: ConvShape,
  keyParams: object,
  opts: { act?: Activation; residual: boolean; format: WeightFormat; variant: Conv2dF32Variant; blocks?: ScaleBlocks },
  caps: DeviceCaps,
): KernelSpec {
  const { variant, format } = opts;
  checkVariant(shape, variant, caps);
  // The depthwise kernel reads 4 channels at once as one vec4 when they are 16-byte aligned.
  const vec4Input = variant.family === 'dw' && shape.cin % 4 === 0;
  const { code, bindings } = assembleConv(bodies[variant.family], format, opts.residual, caps, vec4Input);
  const { constants, dispatch } = launch(shape, variant, format);
  const wShape = variant.family === 'dw' ? { ...shape, cin: 1, groups: 1 } : shape;
  return {
    name,
    key: kernelKey(name, { shape, ...keyParams, variant }),
    code,
    entryPoint: 'main',
    constants: { ...constants, ...activationConstants(opts.act), ...woConstants(opts.format, opts.blocks, reductionLength(wShape)) },
    bindings,
    dispatch,
    uniforms: convUniforms(shape, wShape, format, opts.blocks),
  };
}

/** Conv2D with f32 activations and f32/f16 weights; see the file comment for buffers and layouts. */
export function conv2dF32Kernel(shape: ConvShape, params: Conv2dF32Params, caps: DeviceCaps): KernelSpec {
  const variant = params.variant;
  const format = params.weights ?? 'f32';
  const residual = params.residual ?? false;
  return convKernelSpec('conv2d_f32', shape, { act: params.act, residual, weights: format },
    { act: params.act, residual, format, variant }, caps);
}

/**
 * OIHW float weights in the layout `variant` reads: `packDepthwiseWeightsF32` for `dw`, else
 * `packConvWeightsF32`; f16 formats as f16 pairs (`packF16Pairs`).
 */
export function packConv2dF32Weights(w: Float32Array, shape: ConvShape, variant: Conv2dF32Variant,
  format: Conv2dF32Params['weights'] = 'f32'): Float32Array | Uint32Array {
  const packed = variant.family === 'dw' ? packDepthwiseWeightsF32(w, shape) : packConvWeightsF32(w, shape);
  return format === 'f32' ? packed : packF16Pairs(packed);
}
