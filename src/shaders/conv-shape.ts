/**
 * The geometry of a 2-D convolution (or pooling window), shared by every conv kernel builder, its weight
 * packer, its CPU reference and the runtime. Activations are NHWC; `cin`/`cout` are the real channel counts
 * (kernels pad internally where a packed format needs it).
 */
export interface ConvShape {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  /** cin and cout are both divisible by groups; depthwise is groups == cin == cout. */
  groups: number;
}

export type ConvShapeInit = Pick<ConvShape, 'n' | 'h' | 'w' | 'cin' | 'cout' | 'kh' | 'kw'> & Partial<ConvShape>;

/** Fills defaults (stride 1, dilation 1, no padding, 1 group) and validates divisibility and output size. */
export function convShape(init: ConvShapeInit): ConvShape {
  const s: ConvShape = {
    strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
    padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1,
    ...init,
  };
  if (s.cin % s.groups || s.cout % s.groups) {
    throw new Error(`conv: channels ${s.cin}->${s.cout} are not divisible by groups=${s.groups}`);
  }
  const { outH, outW } = convOutSize(s);
  if (outH <= 0 || outW <= 0) throw new Error(`conv: output size ${outH}x${outW} from input ${s.h}x${s.w} is empty`);
  return s;
}

export function convOutSize(s: ConvShape): { outH: number; outW: number } {
  const ekh = (s.kh - 1) * s.dilationH + 1;
  const ekw = (s.kw - 1) * s.dilationW + 1;
  return {
    outH: Math.floor((s.h + s.padTop + s.padBottom - ekh) / s.strideH) + 1,
    outW: Math.floor((s.w + s.padLeft + s.padRight - ekw) / s.strideW) + 1,
  };
}

/** Multiply-accumulates of one conv (for GFLOP/s: 2 * macs). */
export function convMacs(s: ConvShape): number {
  const { outH, outW } = convOutSize(s);
  return s.n * outH * outW * s.cout * (s.cin / s.groups) * s.kh * s.kw;
}
