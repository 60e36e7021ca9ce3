/**
 * Packed int8 at (scale_in, zp_in) -> packed int8 at (scale_out, zp_out) with ONNX's DequantizeLinear ->
 * QuantizeLinear arithmetic (f32 dequantization, exact f32 division, ties to even): bit for bit what
 * dequantize_i8 followed by quantize_i8 give, in one step. (requantize_i8 rescales with a fixed-point multiplier
 * instead, which may differ from ONNX by one step where the f32 path rounds differently.) Used for the int8 inputs
 * of a channel Concat that feeds a QuantizeLinear: each input is written into its word window of the output.
 * Bindings: input (u32 words), output (u32 words), u. Reference: test/reference/quantize.ts (dequantizeRef, quantizeRef).
 */
import code from './requantize_exact.wgsl?raw';
import divCode from './quantize-div.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { scaleBits } from './quantize.ts';
import type { QParams } from './requantize.ts';

export interface RequantizeExactParams {
  input: QParams;
  output: QParams;
}

/**
 * `rows` rows of `cw` input words each; output rows of `window.stride` words, this kernel writing words
 * [window.offset, window.offset + cw) of each (default: the whole row, stride = cw).
 */
export function requantizeExactKernel(params: RequantizeExactParams, shape: { rows: number; cw: number; window?: { stride: number; offset: number } }): KernelSpec {
  const WG = 256;
  const { rows, cw } = shape;
  const w = shape.window ?? { stride: cw, offset: 0 };
  if (!(w.offset >= 0 && w.offset + cw <= w.stride)) throw new Error(`requantize_exact: words [${w.offset}, ${w.offset + cw}) outside rows of ${w.stride}`);
  const n = rows * cw;
  return gridKernel({
    name: 'requantize_exact_i8', params: {}, code: `${code}\n${divCode}`, WG, count: n,
    uniforms: packUniforms([
      ['u32', n], ['u32', cw], ['u32', w.stride], ['u32', w.offset],
      ['i32', params.input.zeroPoint], ['f32', params.input.scale], ['u32', scaleBits(params.output.scale)], ['i32', params.output.zeroPoint],
    ]),
  });
}
