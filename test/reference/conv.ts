/**
 * CPU reference of a float Conv2D: NHWC f32 input, ONNX OIHW weights, optional bias, residual and fused
 * activation, output = act(conv + bias + residual) in NHWC. Accumulates in f64 (the GPU kernels in f32;
 * tests compare with a relative tolerance).
 */
import type { Activation } from '../../src/shaders/activation.ts';
import type { ConvShape } from '../../src/shaders/conv-shape.ts';
import { activation } from './activation.ts';

/** ONNX Conv output size: floor((in + pad_begin + pad_end - dilation * (k - 1) - 1) / stride) + 1 per axis. */
export function convOutRef(s: ConvShape): { outH: number; outW: number } {
  const dim = (size: number, k: number, stride: number, dilation: number, pads: number) =>
    Math.floor((size + pads - dilation * (k - 1) - 1) / stride) + 1;
  return { outH: dim(s.h, s.kh, s.strideH, s.dilationH, s.padTop + s.padBottom), outW: dim(s.w, s.kw, s.strideW, s.dilationW, s.padLeft + s.padRight) };
}

export interface ConvRefOptions {
  bias?: Float32Array;
  residual?: Float32Array;
  act?: Activation;
}

export function conv2dRef(x: Float32Array, w: Float32Array, s: ConvShape, opts: ConvRefOptions = {}): Float32Array {
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  const out = new Float32Array(s.n * outH * outW * s.cout);
  for (let n = 0; n < s.n; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const o = ((n * outH + oy) * outW + ox) * s.cout;
        for (let co = 0; co < s.cout; co++) {
          const g = Math.floor(co / coutG);
          let acc = 0;
          for (let ky = 0; ky < s.kh; ky++) {
            const iy = oy * s.strideH - s.padTop + ky * s.dilationH;
            if (iy < 0 || iy >= s.h) continue;
            for (let kx = 0; kx < s.kw; kx++) {
              const ix = ox * s.strideW - s.padLeft + kx * s.dilationW;
              if (ix < 0 || ix >= s.w) continue;
              const xi = ((n * s.h + iy) * s.w + ix) * s.cin + g * cinG;
              for (let ci = 0; ci < cinG; ci++) acc += x[xi + ci] * w[((co * cinG + ci) * s.kh + ky) * s.kw + kx];
            }
          }
          acc += opts.bias ? opts.bias[co] : 0;
          acc += opts.residual ? opts.residual[o + co] : 0;
          out[o + co] = activation(Math.fround(acc), opts.act);
        }
      }
    }
  }
  return out;
}
