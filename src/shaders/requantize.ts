import code from './requantize.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { fixedMultiplier, multiplierFields, requantizeMathCode } from './requantize-math.ts';

/** Per-tensor int8 quantization parameters: real = scale * (q - zeroPoint). */
export interface QParams {
  scale: number;
  zeroPoint: number;
}

export interface RequantizeParams {
  input: QParams;
  output: QParams;
  /** Quantized clamp range (default [-128, 127]); e.g. [zp_out, 127] fuses a ReLU. */
  qmin?: number;
  qmax?: number;
}

/**
 * Packed int8 -> packed int8 at another scale/zero point, over `words` u32 words (any packed layout).
 * Bindings: input (u32 words), output (u32 words), u.
 */
export function requantizeKernel(params: RequantizeParams, words: number): KernelSpec {
  const WG = 256;
  const f = fixedMultiplier(params.input.scale / params.output.scale, 'requantize scale_in/scale_out');
  return gridKernel({
    name: 'requantize_i8', params: {}, code: `${code}\n${requantizeMathCode}`, WG, count: words,
    uniforms: packUniforms([
      ['u32', words], ['i32', params.input.zeroPoint], ['i32', params.output.zeroPoint], ...multiplierFields(f),
      ['i32', params.qmin ?? -128], ['i32', params.qmax ?? 127],
    ]),
  });
}
