/**
 * Float Conv2D, every family (reg, shared, dw, 1x1) on awkward shapes (channels 5 / 17, stride 2 with odd
 * sizes, asymmetric padding, dilation 2, groups), tile shapes, fused activation + residual, and fp16 weights.
 * Run by the Chromium suite and, as test/conv2d_f32.test.ts, under Node. Reference test/reference/conv.ts.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import type { Activation } from '../../../src/shaders/activation.ts';
import { type ConvShapeInit, convShape } from '../../../src/shaders/conv-shape.ts';
import { type Conv2dF32Params, type Conv2dF32Variant, conv2dF32Kernel, convFamilies, packConv2dF32Weights } from '../../../src/shaders/conv2d_f32.ts';
import { packBias, roundToF16 } from '../../../src/shaders/pack-float.ts';
import { conv2dRef, convOutRef } from '../../reference/conv.ts';
import { type Case, FLOAT_TOL, type Outcome, type Rng, floatOutcome, runSpec } from '../suite.ts';

const REG: Conv2dF32Variant = { family: 'reg', tm: 4, tn4: 2, wg: 64 };
const SHARED: Conv2dF32Variant = { family: 'shared', tm: 2, tn4: 1, wgx: 4, wgy: 8, bk: 8 };
const DW: Conv2dF32Variant = { family: 'dw', tm: 3, wg: 32 };
const ONE: Conv2dF32Variant = { family: '1x1', tm: 3, tn4: 3, wg: 32 };

/** One conv on the GPU and on the CPU with fresh random data. */
async function convOutcome({ device, caps }: GpuContext, r: Rng, init: ConvShapeInit, variant: Conv2dF32Variant,
  params: Omit<Conv2dF32Params, 'variant'> = {}): Promise<Outcome> {
  const s = convShape(init);
  const { outH, outW } = convOutRef(s);
  const outLen = s.n * outH * outW * s.cout;
  const x = r.floats(s.n * s.h * s.w * s.cin);
  const w = r.floats(s.cout * (s.cin / s.groups) * s.kh * s.kw);
  const bias = r.floats(s.cout);
  const residual = params.residual ? r.floats(outLen) : undefined;
  const spec = conv2dF32Kernel(s, { ...params, variant }, caps);
  const inputs: Record<string, ArrayBufferView> = {
    input: x, weights: packConv2dF32Weights(w, s, variant, params.weights), bias: packBias(bias, s.cout),
  };
  if (residual) inputs.residual = residual;
  const out = await runSpec(device, spec, inputs, { output: outLen * 4 });
  const f16 = params.weights === 'f16pack' || params.weights === 'f16';
  const want = conv2dRef(x, f16 ? w.map(roundToF16) : w, s, { bias, residual, act: params.act });
  return floatOutcome(new Float32Array(out.output), want, spec.key);
}

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
/** Awkward shapes, each run on every family that applies to it (convFamilies). */
const SHAPES: [string, ConvShapeInit][] = [
  ['cin 3 -> 5, 3x3 pad 1', { n: 1, h: 7, w: 9, cin: 3, cout: 5, kh: 3, kw: 3, ...pad1 }],
  ['cin 17 stride 2 odd size, asymmetric pad', { n: 1, h: 11, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 }],
  ['asymmetric padding, 2x3 kernel, batch 2', { n: 2, h: 6, w: 7, cin: 5, cout: 12, kh: 2, kw: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 }],
  ['cin 5 dilation 2, asymmetric pad, batch 2', { n: 2, h: 9, w: 10, cin: 5, cout: 9, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 1, padBottom: 0, padRight: 2 }],
  ['groups 2', { n: 1, h: 8, w: 7, cin: 10, cout: 6, kh: 3, kw: 3, groups: 2, strideW: 2, ...pad1 }],
  ['depthwise c 17 stride 2, asymmetric pad', { n: 1, h: 9, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, groups: 17, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 }],
  ['depthwise c 12 5x5 dilation 2 (vec4 loads)', { n: 2, h: 10, w: 11, cin: 12, cout: 12, kh: 5, kw: 5, groups: 12, dilationH: 2, dilationW: 2, padTop: 4, padLeft: 3, padBottom: 2, padRight: 1 }],
  ['1x1 cin 17 -> 40, batch 2', { n: 2, h: 5, w: 7, cin: 17, cout: 40, kh: 1, kw: 1 }],
  ['7x7 stride 2 stem', { n: 1, h: 12, w: 12, cin: 3, cout: 16, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 }],
];
const FAMILY: Record<string, Conv2dF32Variant> = { reg: REG, shared: SHARED, dw: DW, '1x1': ONE };
/** Tile shapes beyond the defaults, on one shape (stride 2 on W, 13 -> 21 channels). */
const TILES: Conv2dF32Variant[] = [
  { family: 'reg', tm: 1, tn4: 1, wg: 64 }, { family: 'reg', tm: 4, tn4: 4, wg: 32 }, { family: 'reg', tm: 2, tn4: 3, wg: 128 }, { family: 'reg', tm: 3, tn4: 3, wg: 16 },
  { family: 'shared', tm: 4, tn4: 2, wgx: 2, wgy: 4, bk: 5 }, { family: 'shared', tm: 1, tn4: 4, wgx: 4, wgy: 4, bk: 16 },
];
const TILE_SHAPE: ConvShapeInit = { n: 2, h: 7, w: 6, cin: 13, cout: 21, kh: 3, kw: 3, strideW: 2, ...pad1 };
const ACTS: Activation[] = [
  { kind: 'relu' }, { kind: 'clip', min: -0.5, max: 0.7 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'silu' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' },
];
const ACT_SHAPE: ConvShapeInit = { n: 1, h: 6, w: 5, cin: 6, cout: 7, kh: 3, kw: 3, ...pad1 };
const shape = (name: string): ConvShapeInit => SHAPES.find(([n]) => n === name)![1];

const conv = (name: string, init: ConvShapeInit, variant: Conv2dF32Variant, params: Omit<Conv2dF32Params, 'variant'> = {}): Case => ({
  name: `conv2d_f32 [${variant.family}] ${name}`,
  tolerance: FLOAT_TOL,
  run: (gpu, r) => convOutcome(gpu, r, init, variant, params),
});

const relu: Activation = { kind: 'relu' };

export const cases: Case[] = [
  ...SHAPES.flatMap(([name, init]) => convFamilies(convShape(init)).map((fam) => conv(name, init, FAMILY[fam]))),
  ...TILES.map((t) => conv(`tile ${JSON.stringify(t)}`, TILE_SHAPE, t)),
  ...ACTS.map((act) => conv(`${act.kind} + residual`, ACT_SHAPE, REG, { act, residual: true })),
  conv('relu + residual', { ...ACT_SHAPE, cin: 9, cout: 9, groups: 9 }, { family: 'dw', tm: 4, wg: 64 }, { act: relu, residual: true }),
  conv('relu + residual', ACT_SHAPE, SHARED, { act: relu, residual: true }),
  conv('hardswish + residual, groups 2', shape('groups 2'), SHARED, { act: { kind: 'hardswish' }, residual: true }),
  conv('leakyrelu + residual', shape('1x1 cin 17 -> 40, batch 2'), ONE, { act: { kind: 'leakyrelu', alpha: 0.1 }, residual: true }),
  conv('fp16-pair weights (f16pack)', shape('cin 17 stride 2 odd size, asymmetric pad'), REG, { weights: 'f16pack' }),
  conv('fp16-pair weights (f16pack)', shape('depthwise c 17 stride 2, asymmetric pad'), DW, { weights: 'f16pack' }),
  {
    name: 'conv2d_f32 [reg] native f16 weights (shader-f16)',
    tolerance: FLOAT_TOL,
    async run(gpu, r) {
      if (!gpu.caps.f16) return { error: 0, skipped: 'the device has no shader-f16' };
      return convOutcome(gpu, r, shape('cin 5 dilation 2, asymmetric pad, batch 2'), REG, { weights: 'f16' });
    },
  },
];
