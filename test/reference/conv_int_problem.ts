/**
 * One random W8A8 / depthwise / W4A8 int8 conv problem: inputs, the kernel spec and the CPU reference's answer.
 * Shared by the Node tests (test/conv2d_w8a8.test.ts, conv2d_w4a8.test.ts) and the Chromium suite
 * (test/browser/cases/conv2d_w8a8.case.ts, conv2d_w4a8.case.ts), which
 * only differ in how they run it and report the comparison. Browser-safe.
 */
import { addTable } from '../../src/quant/onnx-qdq.ts';
import type { QParams } from '../../src/runtime/plan/types.ts';
import type { Activation } from '../../src/shaders/activation.ts';
import { activation } from './activation.ts';

/** Residual table: the conv's int8 output (at `conv`) + a random-scale residual, then `act`, at a random output scale. */
function residualLut(r: Rng, conv: QParams, act: Activation): Uint32Array {
  const skip = { scale: conv.scale * r.uniform(0.5, 2), zeroPoint: r.int(-10, 10) };
  const out = { scale: conv.scale * r.uniform(1, 2), zeroPoint: r.int(-10, 10) };
  return addTable(conv, skip, out, (y) => activation(y, act));
}
import { type ConvShape, type ConvShapeInit, convShape } from '../../src/shaders/conv-shape.ts';
import type { IntEpilogue, IntQuantArgs, IntTile } from '../../src/shaders/conv2d_int_common.ts';
import { conv2dIntDwKernel } from '../../src/shaders/conv2d_int_dw.ts';
import { type DotImpl, conv2dW8A8Kernel, intConvOutputBytes } from '../../src/shaders/conv2d_w8a8.ts';
import type { KernelSpec } from '../../src/shaders/kernel.ts';
import {
  activationClamp, isClampActivation, packChannelParams, packConvW8, packDepthwiseW8, packInt8Activations,
  quantizeWeightsPerChannel,
} from '../../src/shaders/pack-int.ts';
import type { Rng } from '../helpers/random.ts';
import { packConvW4, packW4Params, quantizeConvW4, w4Layout } from '../../src/shaders/conv2d_int_pack_w4.ts';
import { conv2dW4A8Kernel } from '../../src/shaders/conv2d_w4a8.ts';
import { convOutRef } from './conv.ts';
import { unpackRows } from './quantize.ts';
import { clampInt, multiplierRef } from './requant.ts';
import { type RefOutput, conv2dW4A8Ref, conv2dW8A8Ref } from './conv_int.ts';

export interface W8Case {
  shape: ConvShapeInit;
  act?: Activation;
  residual?: boolean;
  f32?: boolean;
  tile?: IntTile;
  dot?: DotImpl;
  /** The depthwise kernel (groups == cin == cout). */
  dw?: boolean;
  /** Float bias at the output scale with 16 fractional bits (int8 output). */
  fracBias?: boolean;
  /**
   * int8 output through a float activation and an exact QuantizeLinear (`qact` epilogue). Implied by an int8
   * case with a non-clamp activation and no residual, as the runtime lowers such a conv (ops/conv-int.ts).
   */
  qact?: boolean;
}

export interface W8Problem {
  shape: ConvShape;
  spec: KernelSpec;
  inputs: Record<string, ArrayBufferView>;
  outputBytes: number;
  /** The GPU output as int8 values (NHWC) or f32. */
  decode(out: ArrayBuffer): Int8Array | Float32Array;
  want: Int8Array | Float32Array;
  f32: boolean;
  /**
   * qact only: 1 where the reference's activated value / s_out lies within float32 error (1e-5 relative) of a
   * rounding boundary, so the GPU's exp and fma may legitimately land one code away; 0 elsewhere (exact).
   */
  nearTie?: Uint8Array;
}

export const regTile = (tm: 1 | 2 | 4, tn4: 1 | 2): IntTile => ({ family: 'reg', tm, tn4, wg: 16 });
export const fmaTile = (tm: 1 | 2 | 4, tn4: IntTile['tn4']): IntTile => ({ family: 'fma', tm, tn4, wg: 16 });

export function w8Problem(r: Rng, c: W8Case): W8Problem {
  const s = convShape(c.shape);
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const count = s.n * outH * outW * s.cout;
  const x = r.int8s(s.n * s.h * s.w * s.cin);
  const zIn = r.int(-30, 30);
  const sIn = r.uniform(0.01, 0.05);
  const { q, scales } = quantizeWeightsPerChannel(r.floats(s.cout * cinG * s.kh * s.kw), s.cout);
  const bias = r.floats(s.cout, -2, 2);
  const act = c.act ?? { kind: 'none' };
  const qact = !!c.qact || (!c.f32 && !c.residual && !isClampActivation(act));

  // From the definitions, not from the packer (packChannelParams) whose output the kernel reads: the dequant
  // scale s_in * s_w in f32, the bias on the accumulator's grid round(bias / (s_in * s_w)), and below the
  // fixed-point multiplier of s_in * s_w / s_out.
  const deq = Float32Array.from(scales, (sw) => sIn * sw);
  const biasQ = Int32Array.from(bias, (b, o) => Math.round(b / (sIn * scales[o])));
  const base = { shape: s, x, w: q, zIn, biasQ };
  // The float conv (no activation) first, to pick an output scale that spreads outputs over int8.
  const real = conv2dW8A8Ref({ ...base, mult: [], deq, output: { out: 'f32', act: { kind: 'none' } } }) as Float32Array;
  const sOut = real.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6) / r.uniform(60, 120);
  const fracBias = !!c.fracBias && !c.f32 && !qact;
  const floatOut = c.f32 || qact;
  const chan = packChannelParams(q, s.cout, { sIn, zIn, sW: scales, sOut, bias }, floatOut ? 'float' : fracBias ? 'frac' : 'grid');
  const mult = Array.from(scales, (sw) => multiplierRef((sIn * sw) / sOut));
  // The bias as the model means it (a float at the output scale), not the library's packed integer.
  const biasFrac = fracBias ? Int32Array.from(bias, (b) => Math.round((b / sOut) * 65536)) : undefined;

  let epilogue: IntEpilogue;
  const quant: IntQuantArgs = { zIn };
  let table: Uint32Array = new Uint32Array(4);
  let residualX: Int8Array | undefined;
  let output: RefOutput | undefined;
  let nearTie: Uint8Array | undefined;
  const zero = new Int32Array(s.cout);
  if (c.f32) {
    epilogue = { out: 'f32', act };
    output = { out: 'f32', act, fbias: bias };
  } else if (qact) {
    // Output scale fitted to the activation's range over this problem's values: ~150-250 levels used.
    const pre = conv2dW8A8Ref({ ...base, biasQ: zero, mult: [], deq, output: { out: 'f32', act, fbias: bias } }) as Float32Array;
    const lo = pre.reduce((m, v) => Math.min(m, v), Infinity);
    const hi = pre.reduce((m, v) => Math.max(m, v), -Infinity);
    const sAct = Math.fround(Math.max(hi - lo, 1e-6) / r.uniform(150, 250));
    const zAct = Math.max(-128, Math.min(127, Math.round(-(lo + hi) / 2 / sAct) + r.int(-5, 5)));
    Object.assign(quant, { zOut: zAct, sOut: sAct });
    epilogue = { out: 'qact', act };
    output = { out: 'qact', act, fbias: bias, sOut: sAct, zOut: zAct, qLo: -128, qHi: 127 };
    nearTie = Uint8Array.from(pre, (y) => {
      const v = y / sAct;
      return Math.abs(v - Math.floor(v) - 0.5) <= 1e-5 * Math.max(1, Math.abs(v)) ? 1 : 0;
    });
  } else {
    const zOut = r.int(-20, 20);
    quant.zOut = zOut;
    if (c.residual) {
      // The activation follows the Add: it is part of the residual table, with the add's float32 semantics.
      residualX = r.int8s(count);
      table = residualLut(r, { scale: sOut, zeroPoint: zOut }, act);
    } else Object.assign(quant, activationClamp(act, sOut, zOut));
    epilogue = { out: 'int8', residual: !!c.residual, fracBias };
  }

  const params = { tile: c.tile ?? regTile(4, 1), dot: c.dot ?? 'packed', epilogue };
  const spec = c.dw ? conv2dIntDwKernel(params, s, quant) : conv2dW8A8Kernel(params, s, quant);
  const want = conv2dW8A8Ref({
    ...base, mult, deq, biasQ: fracBias || floatOut ? zero : base.biasQ,
    output: output ?? {
      out: 'int8', zOut: quant.zOut!, qLo: quant.qLo ?? -128, qHi: quant.qHi ?? 127, residualX,
      residualTable: c.residual ? table : undefined, biasFrac,
    },
  });
  return {
    shape: s,
    spec,
    inputs: {
      input: packInt8Activations(x, s.n, s.h, s.w, s.cin), weights: c.dw ? packDepthwiseW8(q, s) : packConvW8(q, s), chan, lut: table,
      residual: residualX ? packInt8Activations(residualX, s.n, outH, outW, s.cout) : new Uint32Array(4),
    },
    outputBytes: intConvOutputBytes(s, epilogue),
    decode: (out) => (c.f32 ? new Float32Array(out) : unpackRows(new Uint32Array(out), s.n * outH * outW, s.cout)),
    want,
    f32: !!c.f32,
    nearTie,
  };
}

export interface W4Case {
  shape: ConvShapeInit;
  /** undefined: per output channel. */
  groupSize?: number;
  act?: Activation;
  residual?: boolean;
  tile?: IntTile;
  dot?: DotImpl;
}

/** One random W4A8 conv problem (int8 output), as `w8Problem`. */
export function w4Problem(r: Rng, c: W4Case): W8Problem {
  const s = convShape(c.shape);
  const act = c.act ?? { kind: 'none' };
  // The runtime runs such layers on the W8 kernels' qact epilogue: W4A8 has no float activation.
  if (!c.residual && !isClampActivation(act)) throw new Error(`w4Problem: ${act.kind} needs a residual (its table) or the W8 qact epilogue`);
  const { outH, outW } = convOutRef(s);
  const cinG = s.cin / s.groups;
  const count = s.n * outH * outW * s.cout;
  const layout = w4Layout(s, c.groupSize);
  const x = r.int8s(s.n * s.h * s.w * s.cin);
  const zIn = r.int(-30, 30);
  const sIn = r.uniform(0.01, 0.05);
  const { q, scales } = quantizeConvW4(r.floats(s.cout * cinG * s.kh * s.kw), s, layout);
  const bias = r.floats(s.cout, -2, 2);
  // Output scale: the float conv's typical magnitude, sqrt(K) * E|w| * E|x| spread over ~20-40 steps.
  const sOut = (Math.sqrt(cinG * s.kh * s.kw) * 0.5 * 70 * sIn) / r.uniform(20, 40);
  const { chan, qgroups } = packW4Params(q, s, layout, { sIn, zIn, sW: scales, sOut, bias });

  const zOut = r.int(-20, 20);
  const quant: IntQuantArgs = { zIn, zOut };
  let table: Uint32Array = new Uint32Array(4);
  let residualX: Int8Array | undefined;
  if (c.residual) {
    residualX = r.int8s(count);
    table = residualLut(r, { scale: sOut, zeroPoint: zOut }, act);
  } else Object.assign(quant, activationClamp(act, sOut, zOut));
  const epilogue = { out: 'int8' as const, residual: !!c.residual };
  const spec = conv2dW4A8Kernel({ tile: c.tile ?? regTile(4, 1), dot: c.dot ?? 'packed', epilogue }, s, layout, quant);
  const { mult, biasFixed } = w4Params(q, s, layout, scales, { sIn, zIn, sOut, bias });
  const want = conv2dW4A8Ref({
    shape: s, x, w: q, zIn, groupOf: layout.groupOf, mult, biasFixed,
    output: {
      out: 'int8', zOut, qLo: quant.qLo ?? -128, qHi: quant.qHi ?? 127, residualX,
      residualTable: c.residual ? table : undefined,
    },
  });
  return {
    shape: s,
    spec,
    inputs: {
      input: packInt8Activations(x, s.n, s.h, s.w, s.cin), weights: packConvW4(q, s, layout), chan, qgroups, lut: table,
      residual: residualX ? packInt8Activations(residualX, s.n, outH, outW, s.cout) : new Uint32Array(4),
    },
    outputBytes: (count / s.cout) * Math.ceil(s.cout / 4) * 4,
    decode: (out) => unpackRows(new Uint32Array(out), s.n * outH * outW, s.cout),
    want,
    f32: false,
  };
}

/**
 * The W4A8 scheme's per-group multipliers (s_in * s_w[oc][g] / s_out) and bias (at the output scale with 8
 * fractional bits, minus the zero-point correction z_in * s_in * sum_g s_w[g] * sum(w in g)), from their
 * definitions rather than from packW4Params' output, which the kernel reads.
 */
function w4Params(q: Int8Array, s: ConvShape, layout: ReturnType<typeof w4Layout>, sW: ArrayLike<number>,
  p: { sIn: number; zIn: number; sOut: number; bias: Float32Array }): { mult: { m0: number; r: number }[][]; biasFixed: Int32Array } {
  const { ng } = layout;
  const cinG = s.cin / s.groups;
  const wsum = new Float64Array(s.cout * ng);
  for (let oc = 0; oc < s.cout; oc++) for (let ci = 0; ci < cinG; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
    wsum[oc * ng + layout.groupOf(oc, ci, ky, kx)] += q[((oc * cinG + ci) * s.kh + ky) * s.kw + kx];
  }
  const mult = Array.from({ length: s.cout }, (_, oc) => Array.from({ length: ng }, (_, g) => multiplierRef((p.sIn * sW[oc * ng + g]) / p.sOut)));
  const biasFixed = Int32Array.from({ length: s.cout }, (_, oc) => {
    let corr = 0;
    for (let g = 0; g < ng; g++) corr += sW[oc * ng + g] * wsum[oc * ng + g];
    return clampInt(Math.round(((p.bias[oc] - p.sIn * p.zIn * corr) / p.sOut) * 256), -(2 ** 31), 2 ** 31 - 1) | 0;
  });
  return { mult, biasFixed };
}
