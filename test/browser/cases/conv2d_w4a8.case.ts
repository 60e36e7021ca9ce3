/**
 * W4A8 convolution: int4 weights per output channel or per group along the reduction, int8 activations, exact
 * fixed-point per-group scaling. Set up as runCase in test/conv2d_w4a8.test.ts; reference
 * test/reference/conv_int.ts (conv2dW4A8Ref). Bit-exact.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { runKernel } from '../../../src/gpu/exec.ts';
import { quantizeMultiplier } from '../../../src/quant/fixedpoint.ts';
import type { Activation } from '../../../src/shaders/activation.ts';
import { type ConvShapeInit, convOutSize, convShape } from '../../../src/shaders/conv-shape.ts';
import type { IntQuantArgs, IntTile } from '../../../src/shaders/conv2d_int_common.ts';
import { packConvW4, packW4Params, quantizeConvW4, w4Layout } from '../../../src/shaders/conv2d_int_pack_w4.ts';
import { conv2dW4A8Kernel } from '../../../src/shaders/conv2d_w4a8.ts';
import type { DotImpl } from '../../../src/shaders/conv2d_w8a8.ts';
import {
  activationClamp, isClampActivation, packInt8Activations, unpackInt8Activations,
} from '../../../src/shaders/pack-int.ts';
import { conv2dW4A8Ref } from '../../reference/conv_int.ts';
import { fittedLut } from '../../reference/lut.ts';
import { type Case, EXACT, type Outcome, type Rng, exactOutcome } from '../suite.ts';

interface W4Case {
  shape: ConvShapeInit;
  /** undefined: per output channel. */
  groupSize?: number;
  act?: Activation;
  residual?: boolean;
  tile?: IntTile;
  dot?: DotImpl;
}

const reg = (tm: 1 | 2 | 4, tn4: 1 | 2): IntTile => ({ family: 'reg', tm, tn4, wg: 16 });

async function w4Outcome({ device }: GpuContext, r: Rng, c: W4Case): Promise<Outcome> {
  const s = convShape(c.shape);
  const { outH, outW } = convOutSize(s);
  const cinG = s.cin / s.groups;
  const count = s.n * outH * outW * s.cout;
  const layout = w4Layout(s, c.groupSize);
  const x = r.int8s(s.n * s.h * s.w * s.cin);
  const zIn = r.int(-30, 30);
  const sIn = r.uniform(0.01, 0.05);
  const { q, scales } = quantizeConvW4(r.floats(s.cout * cinG * s.kh * s.kw), s, layout);
  const bias = r.floats(s.cout, -2, 2);
  const act = c.act ?? { kind: 'none' };
  // Output scale: the float conv's typical magnitude, sqrt(K) * E|w| * E|x| spread over ~20-40 steps.
  const sOut = (Math.sqrt(cinG * s.kh * s.kw) * 0.5 * 70 * sIn) / r.uniform(20, 40);
  const { chan, qgroups } = packW4Params(q, s, layout, { sIn, zIn, sW: scales, sOut, bias });

  const zOut = r.int(-20, 20);
  const quant: IntQuantArgs = { zIn, zOut };
  let lut: Uint32Array = new Uint32Array(4);
  if (isClampActivation(act)) Object.assign(quant, activationClamp(act, sOut, zOut));
  else lut = fittedLut(act, sOut, zOut, r);
  let residualX: Int8Array | undefined;
  if (c.residual) {
    residualX = r.int8s(count);
    quant.residual = { z: r.int(-10, 10), m: quantizeMultiplier(r.uniform(0.5, 2)) };
  }
  const epilogue = { out: 'int8' as const, residual: !!c.residual, lut: !isClampActivation(act) };
  const spec = conv2dW4A8Kernel({ tile: c.tile ?? reg(4, 1), dot: c.dot ?? 'packed', epilogue }, s, layout, quant);
  const out = await runKernel(device, spec, {
    input: packInt8Activations(x, s.n, s.h, s.w, s.cin), weights: packConvW4(q, s, layout), chan, qgroups, lut,
    residual: residualX ? packInt8Activations(residualX, s.n, outH, outW, s.cout) : new Uint32Array(4),
  }, { output: (count / s.cout) * Math.ceil(s.cout / 4) * 4 });

  const mult = Array.from({ length: s.cout }, (_, o) =>
    Array.from({ length: layout.ng }, (_, g) => ({ m0: qgroups[(o * layout.ng + g) * 2], r: qgroups[(o * layout.ng + g) * 2 + 1] })));
  const want = conv2dW4A8Ref({
    shape: s, x, w: q, zIn, groupOf: layout.groupOf, mult, biasFixed: Int32Array.from({ length: s.cout }, (_, o) => chan[o * 4]),
    output: {
      out: 'int8', zOut, qLo: quant.qLo ?? -128, qHi: quant.qHi ?? 127, residualX, residual: quant.residual,
      lut: isClampActivation(act) ? undefined : lut,
    },
  });
  return exactOutcome(unpackInt8Activations(new Uint32Array(out.output), s.n, outH, outW, s.cout), want, spec.key);
}

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const w4 = (name: string, c: W4Case): Case => ({
  name: `conv2d_w4a8 [${c.dot ?? 'packed'}] ${name}`,
  tolerance: EXACT,
  run: (gpu, r) => w4Outcome(gpu, r, c),
});

export const cases: Case[] = [
  w4('per-channel, cin 17 stride 2 odd size, asymmetric pad', {
    shape: { n: 1, h: 9, w: 11, cin: 17, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 },
  }),
  w4('per-channel, fallback dot, cin 17', {
    shape: { n: 1, h: 7, w: 6, cin: 17, cout: 8, kh: 3, kw: 3, ...pad1 }, dot: 'fallback',
  }),
  w4('per-group 8, cin 5 (odd window), dilation 2', {
    shape: { n: 1, h: 8, w: 8, cin: 5, cout: 8, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 }, groupSize: 8,
  }),
  w4('per-group 24 crossing taps, fallback dot', {
    shape: { n: 1, h: 6, w: 6, cin: 12, cout: 8, kh: 3, kw: 3, ...pad1 }, groupSize: 24, dot: 'fallback',
  }),
  w4('per-group 16, groups 2', { shape: { n: 1, h: 6, w: 5, cin: 6, cout: 6, kh: 3, kw: 3, groups: 2, ...pad1 }, groupSize: 16 }),
  w4('per-group 32, tile 2x2, silu LUT', {
    shape: { n: 1, h: 5, w: 6, cin: 32, cout: 20, kh: 3, kw: 3, ...pad1 }, groupSize: 32, tile: reg(2, 2), act: { kind: 'silu' },
  }),
  w4('per-group 16, 1x1, relu6', { shape: { n: 1, h: 5, w: 5, cin: 40, cout: 16, kh: 1, kw: 1 }, groupSize: 16, act: { kind: 'clip', min: 0, max: 6 } }),
  w4('per-group 32, residual then relu, batch 2, tile 4x2', {
    shape: { n: 2, h: 5, w: 5, cin: 16, cout: 12, kh: 3, kw: 3, ...pad1 }, groupSize: 32, residual: true, act: { kind: 'relu' }, tile: reg(4, 2),
  }),
];
