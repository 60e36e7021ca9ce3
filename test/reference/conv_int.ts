/**
 * CPU references of the integer convolutions (W8A8, W4A8 per-channel and per-group, depthwise/grouped), written
 * from the definitions, not from the kernels' loop structure. Activations are int8 NHWC with real channel counts.
 */
import type { ConvShape } from '../../src/shaders/conv-shape.ts';
import type { Activation } from '../../src/shaders/activation.ts';
import { activation } from './activation.ts';
import { convOutRef } from './conv.ts';
import type { FixedMultiplier } from '../../src/quant/fixedpoint.ts';
import { type RequantRef, mulShiftRoundRef as mulShiftRound, requantTailRef } from './requant.ts';
import { quantizeValue } from './quantize.ts';

/** Visits every (output pixel, output channel) with its exact sum of w * (x - zIn) (padding contributes 0). */
function forEachOutput(
  s: ConvShape, x: Int8Array, zIn: number, weight: (oc: number, ci: number, ky: number, kx: number) => number,
  f: (pixel: number, oc: number, sum: (group?: (oc: number, ci: number, ky: number, kx: number) => number) => number[]) => void,
): void {
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  for (let n = 0; n < s.n; n++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    const pixel = (n * outH + oy) * outW + ox;
    for (let oc = 0; oc < s.cout; oc++) {
      const g = Math.floor(oc / coutG);
      // Sums split by `group(oc, ci, ky, kx)` (int4 quant groups), or one sum.
      const sum = (group?: (oc: number, ci: number, ky: number, kx: number) => number): number[] => {
        const sums: number[] = [];
        for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
          const iy = oy * s.strideH - s.padTop + ky * s.dilationH;
          const ix = ox * s.strideW - s.padLeft + kx * s.dilationW;
          const inside = iy >= 0 && iy < s.h && ix >= 0 && ix < s.w;
          for (let ci = 0; ci < cinG; ci++) {
            const xv = inside ? x[((n * s.h + iy) * s.w + ix) * s.cin + g * cinG + ci] : zIn;
            const k = group ? group(oc, ci, ky, kx) : 0;
            sums[k] = (sums[k] ?? 0) + weight(oc, ci, ky, kx) * (xv - zIn);
          }
        }
        return sums;
      };
      f(pixel, oc, sum);
    }
  }
}

/**
 * `f32`: act(f32(acc) * deq + fbias) (fbias: the float bias, added as onnxruntime adds it). `qact`: that value
 * quantized as ONNX QuantizeLinear does (f32 division, half to even, saturation).
 */
export type RefOutput =
  | ({ out: 'int8'; residualX?: Int8Array; biasFrac?: Int32Array } & Omit<RequantRef, 's'>)
  | { out: 'f32'; act: Activation; fbias?: Float32Array }
  | { out: 'qact'; act: Activation; fbias: Float32Array; sOut: number; zOut: number; qLo: number; qHi: number };

export interface W8RefArgs {
  shape: ConvShape;
  x: Int8Array;
  /** OIHW int8 weights. */
  w: Int8Array;
  zIn: number;
  biasQ: Int32Array;
  mult: FixedMultiplier[];
  /** Per-channel f32 dequant scale s_in * s_w (f32 output). */
  deq: Float32Array;
  output: RefOutput;
}

/** W8A8 conv: acc = bias_q + sum w * (x - z_in); then requant (S = 0) or dequant. */
export function conv2dW8A8Ref(a: W8RefArgs): Int8Array | Float32Array {
  const s = a.shape;
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const count = s.n * outH * outW * s.cout;
  const o = a.output;
  const res: Int8Array | Float32Array = o.out === 'f32' ? new Float32Array(count) : new Int8Array(count);
  const f = Math.fround;
  const wAt = (oc: number, ci: number, ky: number, kx: number) => a.w[((oc * cinG + ci) * s.kh + ky) * s.kw + kx];
  forEachOutput(s, a.x, a.zIn, wAt, (p, oc, sum) => {
    const acc = (a.biasQ[oc] + sum()[0]) | 0;
    const i = p * s.cout + oc;
    if (o.out === 'f32') {
      res[i] = activation(f(f(f(acc) * a.deq[oc]) + (o.fbias ? o.fbias[oc] : 0)), o.act);
    } else if (o.out === 'qact') {
      res[i] = quantizeValue(activation(f(f(f(acc) * a.deq[oc]) + o.fbias[oc]), o.act), o.sOut, o.zOut, o.qLo, o.qHi);
    } else if (o.biasFrac) {
      // float bias at the output scale with 16 fractional bits, one rounding at the end
      const t = Math.min(2 ** 30, Math.max(-(2 ** 30), mulShiftRound(acc, a.mult[oc].m0, a.mult[oc].r - 16))) + o.biasFrac[oc];
      res[i] = requantTailRef(t, o.residualX ? o.residualX[i] : 0, { ...o, s: 16 });
    } else {
      const t = mulShiftRound(acc, a.mult[oc].m0, a.mult[oc].r);
      res[i] = requantTailRef(t, o.residualX ? o.residualX[i] : 0, { ...o, s: 0 });
    }
  });
  return res;
}

export interface W4RefArgs {
  shape: ConvShape;
  x: Int8Array;
  /** OIHW int4 values in [-8, 7]. */
  w: Int8Array;
  zIn: number;
  /** Quant group of each weight element (w4Layout.groupOf). */
  groupOf: (oc: number, ci: number, ky: number, kx: number) => number;
  /** Per output channel, per group: the (m0, r) of s_in * s_w[oc][g] / s_out. */
  mult: FixedMultiplier[][];
  /** Per output channel: bias minus the zero-point correction, at the output scale with 8 fractional bits. */
  biasFixed: Int32Array;
  output: Extract<RefOutput, { out: 'int8' }>;
}

/**
 * W4A8 conv: t = bias_fixed + sum over groups of mulShiftRound(isum_g, m_g, r_g - 8), where isum_g is the raw
 * sum of w * x (padding reads z_in; the zero-point correction is part of bias_fixed), then the int8 epilogue.
 */
export function conv2dW4A8Ref(a: W4RefArgs): Int8Array {
  const s = a.shape;
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const res = new Int8Array(s.n * outH * outW * s.cout);
  const wAt = (oc: number, ci: number, ky: number, kx: number) => a.w[((oc * cinG + ci) * s.kh + ky) * s.kw + kx];
  // Raw sums (x, not x - z_in): pass z_in = 0 for the subtraction but keep z_in as the padding value.
  forEachOutput(s, a.x, a.zIn, wAt, (p, oc, sum) => {
    const centered = sum(a.groupOf);
    let t = a.biasFixed[oc];
    centered.forEach((cs, g) => {
      if (cs === undefined) return;
      const raw = cs + a.zIn * groupWeightSum(s, a.w, a.groupOf, oc, g);
      t = (t + mulShiftRound(raw, a.mult[oc][g].m0, a.mult[oc][g].r - 8)) | 0;
    });
    const i = p * s.cout + oc;
    res[i] = requantTailRef(t, a.output.residualX ? a.output.residualX[i] : 0, { ...a.output, s: 8 });
  });
  return res;
}

function groupWeightSum(
  s: ConvShape, w: Int8Array, groupOf: W4RefArgs['groupOf'], oc: number, g: number,
): number {
  const cinG = s.cin / s.groups;
  let sum = 0;
  for (let ci = 0; ci < cinG; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
    if (groupOf(oc, ci, ky, kx) === g) sum += w[((oc * cinG + ci) * s.kh + ky) * s.kw + kx];
  }
  return sum;
}
