/**
 * ONNX Resize (2-D, NHWC): nearest on f32 or packed int8 words, bilinear ('linear') on f32. The builder also
 * produces the `coords` table the kernel reads (see resize.wgsl): coordinates are computed here in f64, once.
 */
import code from './resize.wgsl?raw';
import { type KernelSpec, ceilDiv, gridKernel, packUniforms } from './kernel.ts';
import type { Elem } from './slice.ts';

export type CoordMode = 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeParams {
  mode: 'nearest' | 'linear';
  coord: CoordMode;
  /** Nearest only; ONNX default round_prefer_floor. */
  nearest?: NearestMode;
  outH: number;
  outW: number;
  /** ONNX `scales` when given (else out / in); they enter the coordinate transform. */
  scaleH?: number;
  scaleW?: number;
}

/** NHWC input; `c` is the real channel count. */
export interface ResizeShape {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** The input coordinate of output coordinate `x` (ONNX coordinate_transformation_mode). */
export function originalCoord(x: number, inSize: number, outSize: number, scale: number, mode: CoordMode): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      // opset 19: shift so that the sampled span is centred when out = floor(in * scale) drops a fraction.
      const adjustment = outSize / (scale * inSize);
      return (inSize / 2) * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return outSize > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
  }
}

function roundNearest(x: number, mode: NearestMode): number {
  switch (mode) {
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round_prefer_ceil': return Math.floor(x + 0.5);
    case 'round_prefer_floor': return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

/** Per output index along one axis: [i0, i1, f32 bits of the weight of i1, 0]. */
function axisCoords(inSize: number, outSize: number, scale: number, p: ResizeParams): number[] {
  const out: number[] = [];
  const bits = new Uint32Array(1);
  const asF32 = new Float32Array(bits.buffer);
  for (let o = 0; o < outSize; o++) {
    const x = originalCoord(o, inSize, outSize, scale, p.coord);
    if (p.mode === 'nearest') {
      const i = Math.min(Math.max(roundNearest(x, p.nearest ?? 'round_prefer_floor'), 0), inSize - 1);
      out.push(i, i, 0, 0);
    } else {
      const xc = Math.min(Math.max(x, 0), inSize - 1);
      const i0 = Math.floor(xc);
      asF32[0] = xc - i0;
      out.push(i0, Math.min(i0 + 1, inSize - 1), bits[0], 0);
    }
  }
  return out;
}

/** The `coords` buffer: OH entries for y, then OW entries for x, 4 u32 each. */
export function resizeCoords(shape: ResizeShape, p: ResizeParams): Uint32Array {
  return Uint32Array.from([
    ...axisCoords(shape.h, p.outH, p.scaleH ?? p.outH / shape.h, p),
    ...axisCoords(shape.w, p.outW, p.scaleW ?? p.outW / shape.w, p),
  ]);
}

/** Bindings: input (u32 words), coords (vec4u, from `resizeCoords`), output (u32 words), u. */
export function resizeKernel(shape: ResizeShape, p: ResizeParams, elem: Elem = 'f32'): KernelSpec {
  if (p.mode === 'linear' && elem !== 'f32') throw new Error('Resize: linear mode needs f32 data (dequantize packed int8 first)');
  if (p.outH <= 0 || p.outW <= 0) throw new Error(`Resize: empty output ${p.outH}x${p.outW}`);
  const c = elem === 'i8x4' ? ceilDiv(shape.c, 4) : shape.c;
  const n = shape.n * p.outH * p.outW * c;
  const WG = 256;
  const linear = p.mode === 'linear';
  return gridKernel({
    name: 'resize', params: { linear }, code, constants: { LINEAR: linear ? 1 : 0 }, WG, count: n,
    bindings: [
      { name: 'input', kind: 'read-only-storage' },
      { name: 'coords', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    uniforms: packUniforms([['u32', n], ['u32', shape.h], ['u32', shape.w], ['u32', c], ['u32', p.outH], ['u32', p.outW]]),
  });
}
