/**
 * Float -> int8/int4 quantization kernels, exactly ONNX QuantizeLinear: roundHalfEven(fl32(x / scale)) + zero
 * point, saturated. The division is done in integers (quantize-div.wgsl) because a GPU f32 division may be off by
 * 2.5 ulp and a multiply by the reciprocal is another function. References: test/reference/quantize.ts.
 */
import code from './quantize.wgsl?raw';
import channelCode from './quantize-channel.wgsl?raw';
import divCode from './quantize-div.wgsl?raw';
import { type KernelSpec, ceilDiv, gridKernel, packUniforms } from './kernel.ts';
import type { QParams } from './requantize.ts';

/** The rows/channels view of an activation: rows = N*H*W (NHWC), `inner` = H*W when channels-first. */
export interface RowsShape {
  /** Number of rows (pixels), i.e. outer * inner. */
  rows: number;
  /** Real channel count (the packed layout pads it to a multiple of 4). */
  c: number;
  /** Channels-first only: the spatial size (H*W) between channels; 1 for channels-last. */
  inner?: number;
}

export interface QuantizeParams extends QParams {
  /** Read the float input as [outer, C, inner] (NCHW) instead of [rows, C]. */
  channelsFirst?: boolean;
}

/** f32 [rows, C] (or NCHW) -> packed int8 [rows, ceil(C/4)] words. Bindings: input (f32), output (u32), u. */
export function quantizeKernel(params: QuantizeParams, shape: RowsShape): KernelSpec {
  const WG = 256;
  const cw = ceilDiv(shape.c, 4);
  const words = shape.rows * cw;
  const inner = shape.inner ?? 1;
  if (params.channelsFirst && shape.rows % inner) throw new Error(`quantize: rows ${shape.rows} not a multiple of inner ${inner}`);
  const channelsFirst = params.channelsFirst ?? false;
  return gridKernel({
    name: 'quantize_i8', params: { channelsFirst }, code: `${code}\n${divCode}`, constants: { CHANNELS_FIRST: channelsFirst ? 1 : 0 }, WG, count: words,
    uniforms: packUniforms([
      ['u32', words], ['u32', shape.c], ['u32', cw], ['u32', inner],
      ['u32', scaleBits(params.scale)], ['i32', params.zeroPoint],
    ]),
  });
}

export interface QuantizeChannelParams {
  bits: 8 | 4;
  /** Clamp range; defaults to the full signed range ([-128, 127] or [-8, 7]). */
  qmin?: number;
  qmax?: number;
}

/** Row-major [outer, C, inner] f32 tensor, flat-packed. */
export interface ChannelShape {
  outer: number;
  c: number;
  inner: number;
}

/**
 * f32 -> flat-packed int8 (4 per u32) or int4 (8 per u32), per-channel along C or per-tensor.
 * Bindings: input (f32), qparams (vec2f per channel from `quantizeChannelParams`), output (u32), u.
 */
export function quantizeChannelKernel(params: QuantizeChannelParams, shape: ChannelShape, perChannel: boolean): KernelSpec {
  const WG = 256;
  const n = shape.outer * shape.c * shape.inner;
  const words = ceilDiv(n, 32 / params.bits);
  const full = params.bits === 8 ? [-128, 127] : [-8, 7];
  return gridKernel({
    name: `quantize_channel_i${params.bits}`, params: {}, code: `${channelCode}\n${divCode}`, constants: { BITS: params.bits }, WG, count: words,
    bindings: [
      { name: 'input', kind: 'read-only-storage' },
      { name: 'qparams', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    uniforms: packUniforms([
      ['u32', words], ['u32', n], ['u32', shape.c], ['u32', shape.inner], ['u32', perChannel ? 1 : 0],
      ['i32', params.qmin ?? full[0]], ['i32', params.qmax ?? full[1]],
    ]),
  });
}

/** The `qparams` buffer: (f32 bits of scale, zeroPoint) per channel (or one pair for per-tensor). */
export function quantizeChannelParams(scales: ArrayLike<number>, zeroPoints: ArrayLike<number>): Int32Array {
  if (scales.length !== zeroPoints.length) throw new Error(`quantize: ${scales.length} scales but ${zeroPoints.length} zero points`);
  const out = new Int32Array(scales.length * 2);
  for (let i = 0; i < scales.length; i++) {
    out[2 * i] = scaleBits(scales[i]) | 0;
    out[2 * i + 1] = zeroPoints[i];
  }
  return out;
}

/** f32 bits of a quantization scale; the kernels need a positive normal float32 (fails loudly otherwise). */
export function scaleBits(scale: number): number {
  const f = Math.fround(scale);
  if (!(f >= 2 ** -126) || !Number.isFinite(f)) throw new Error(`quantize: scale ${scale} must be a positive normal float32`);
  return new Uint32Array(Float32Array.of(f).buffer)[0];
}
