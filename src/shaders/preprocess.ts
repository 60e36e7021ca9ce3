/**
 * Builder of the preprocessing kernel: letterbox + bilinear resize + pixel transform, RGBA8 frame (storage
 * buffer of packed u32 pixels) -> model input, f32 NHWC or int8 NHWC packed four channels per u32. The letterbox
 * enters as its inverse matrix (a uniform), so a new frame size or mirror needs no new pipeline.
 */
import code from './preprocess.wgsl?raw';
import { type KernelSpec, ceilDiv, kernelKey, packUniforms } from './kernel.ts';
import { type Letterbox, inverseAffine } from '../pre/letterbox.ts';
import { type PixelTransform, channelAffine } from '../pre/preprocess.ts';

export interface PreprocessParams {
  /** `f32`: NHWC [H, W, 3] floats; `int8`: NHWC, channels padded to 4, one u32 per pixel. */
  output: 'f32' | 'int8';
  channelOrder: 'rgb' | 'bgr';
}

/** Per-tensor quantisation of the int8 output: q = clamp(round(v / scale) + zeroPoint, -128, 127). */
export interface InputQuant {
  scale: number;
  zeroPoint: number;
}

/** Output size in bytes for a letterbox and params. */
export function preprocessOutputBytes(params: PreprocessParams, lb: Letterbox): number {
  return lb.inputWidth * lb.inputHeight * (params.output === 'f32' ? 12 : 4);
}

/**
 * The kernel for one frame geometry. Bindings: `frame` (packed RGBA8), `output`, uniforms `u`.
 * The pixel transform's channel order must match `params.channelOrder` (it selects a pipeline variant).
 */
export function preprocessKernel(params: PreprocessParams, lb: Letterbox, t: PixelTransform, quant?: InputQuant): KernelSpec {
  if ((t.channelOrder ?? 'rgb') !== params.channelOrder) {
    throw new Error(`preprocess kernel: transform order ${t.channelOrder ?? 'rgb'} != params order ${params.channelOrder}`);
  }
  if (params.output === 'int8' && !(quant && quant.scale > 0 && quant.zeroPoint >= -128 && quant.zeroPoint <= 127)) {
    throw new Error(`preprocess kernel: int8 output needs a positive scale and a zero point in [-128, 127], got ${JSON.stringify(quant)}`);
  }
  const WG_X = 8;
  const WG_Y = 8;
  const { mul, add, pad } = channelAffine(t); // per model channel; the shader swaps R and B itself
  const [a, b, c, d, e, f] = inverseAffine(lb);
  return {
    name: 'preprocess',
    key: kernelKey('preprocess', params),
    code,
    entryPoint: 'main',
    constants: { WG_X, WG_Y, BGR: params.channelOrder === 'bgr' ? 1 : 0, OUT_INT8: params.output === 'int8' ? 1 : 0 },
    bindings: [
      { name: 'frame', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: [ceilDiv(lb.inputWidth, WG_X), ceilDiv(lb.inputHeight, WG_Y), 1],
    uniforms: packUniforms([
      ['u32', lb.frameWidth], ['u32', lb.frameHeight], ['u32', lb.inputWidth], ['u32', lb.inputHeight],
      ...lb.content.map((v): ['u32', number] => ['u32', v]),
      ...[a, b, c, d, e, f].map((v): ['f32', number] => ['f32', v]),
      ...[...mul, ...add].map((v): ['f32', number] => ['f32', v]),
      ['f32', pad], ['f32', quant ? 1 / quant.scale : 1], ['i32', quant?.zeroPoint ?? 0], ['u32', 0],
    ]),
  };
}
