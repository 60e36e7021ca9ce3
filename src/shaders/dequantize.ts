import code from './dequantize.wgsl?raw';
import { type KernelSpec, ceilDiv, gridKernel, packUniforms } from './kernel.ts';
import type { RowsShape } from './quantize.ts';
import type { QParams } from './requantize.ts';

export interface DequantizeParams extends QParams {
  /** Write the float output as [outer, C, inner] (NCHW) instead of [rows, C]. */
  channelsFirst?: boolean;
}

/**
 * Packed int8 [rows, ceil(C/4)] words -> f32 [rows, C] (or NCHW), x = f32(q - zp) * f32(scale).
 * Bindings: input (u32), output (f32), u.
 */
export function dequantizeKernel(params: DequantizeParams, shape: RowsShape): KernelSpec {
  const WG = 256;
  const n = shape.rows * shape.c;
  const channelsFirst = params.channelsFirst ?? false;
  return gridKernel({
    name: 'dequantize_i8', params: { channelsFirst }, code, constants: { CHANNELS_FIRST: channelsFirst ? 1 : 0 }, WG, count: n,
    uniforms: packUniforms([
      ['u32', n], ['u32', shape.c], ['u32', ceilDiv(shape.c, 4)], ['u32', shape.inner ?? 1],
      ['f32', params.scale], ['i32', params.zeroPoint],
    ]),
  });
}
