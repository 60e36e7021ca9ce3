/**
 * Float Conv2D, every family (reg, shared, dw, 1x1) on awkward shapes (channels 5 / 17, stride 2 with odd
 * sizes, asymmetric padding, dilation 2, groups), fused activation + residual, and fp16 weights. Set up as in
 * test/conv2d_f32.test.ts; reference test/reference/conv.ts.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { runKernel } from '../../../src/gpu/exec.ts';
import type { Activation } from '../../../src/shaders/activation.ts';
import { type ConvShapeInit, convOutSize, convShape } from '../../../src/shaders/conv-shape.ts';
import { type Conv2dF32Params, type Conv2dF32Variant, conv2dF32Kernel, packConv2dF32Weights } from '../../../src/shaders/conv2d_f32.ts';
import { packBias, roundToF16 } from '../../../src/shaders/pack-float.ts';
import { conv2dRef } from '../../reference/conv.ts';
import { type Case, FLOAT_TOL, type Outcome, type Rng, floatOutcome } from '../suite.ts';

const REG: Conv2dF32Variant = { family: 'reg', tm: 4, tn4: 2, wg: 64 };
const SHARED: Conv2dF32Variant = { family: 'shared', tm: 2, tn4: 1, wgx: 4, wgy: 8, bk: 8 };
const DW: Conv2dF32Variant = { family: 'dw', tm: 3, wg: 32 };
const ONE: Conv2dF32Variant = { family: '1x1', tm: 3, tn4: 3, wg: 32 };

/** One conv on the GPU and on the CPU with fresh random data (as convError in test/conv2d_f32.test.ts). */
async function convOutcome({ device, caps }: GpuContext, r: Rng, init: ConvShapeInit, variant: Conv2dF32Variant,
  params: Omit<Conv2dF32Params, 'variant'> = {}): Promise<Outcome> {
  const s = convShape(init);
  const { outH, outW } = convOutSize(s);
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
  const out = await runKernel(device, spec, inputs, { output: outLen * 4 });
  const f16 = params.weights === 'f16pack' || params.weights === 'f16';
  const want = conv2dRef(x, f16 ? w.map(roundToF16) : w, s, { bias, residual, act: params.act });
  return floatOutcome(new Float32Array(out.output), want, spec.key);
}

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
/** cin 17 -> 17, stride 2 on an odd size, asymmetric padding. */
const ODD17: ConvShapeInit = { n: 1, h: 11, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 };
/** cin 5 with dilation 2 and asymmetric padding. */
const DIL5: ConvShapeInit = { n: 2, h: 9, w: 10, cin: 5, cout: 9, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 1, padBottom: 0, padRight: 2 };
/** Two groups of 5 input channels. */
const GROUPS: ConvShapeInit = { n: 1, h: 8, w: 7, cin: 10, cout: 6, kh: 3, kw: 3, groups: 2, strideW: 2, ...pad1 };
/** Depthwise 17 channels, stride 2, asymmetric padding (scalar loads: 17 is not a multiple of 4). */
const DW17: ConvShapeInit = { n: 1, h: 9, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, groups: 17, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 };
/** Depthwise 5x5 dilation 2 with 12 channels (vec4 loads). */
const DW12: ConvShapeInit = { n: 2, h: 10, w: 11, cin: 12, cout: 12, kh: 5, kw: 5, groups: 12, dilationH: 2, dilationW: 2, padTop: 4, padLeft: 3, padBottom: 2, padRight: 1 };
const ONE17: ConvShapeInit = { n: 2, h: 5, w: 7, cin: 17, cout: 40, kh: 1, kw: 1 };

const conv = (name: string, init: ConvShapeInit, variant: Conv2dF32Variant, params: Omit<Conv2dF32Params, 'variant'> = {}): Case => ({
  name: `conv2d_f32 [${variant.family}] ${name}`,
  tolerance: FLOAT_TOL,
  run: (gpu, r) => convOutcome(gpu, r, init, variant, params),
});

const silu: Activation = { kind: 'silu' };
const hardswish: Activation = { kind: 'hardswish' };

export const cases: Case[] = [
  conv('cin 17 stride 2 odd size, asymmetric pad', ODD17, REG),
  conv('cin 5 dilation 2, asymmetric pad, batch 2', DIL5, REG),
  conv('groups 2', GROUPS, REG),
  conv('cin 17 stride 2 odd size, asymmetric pad', ODD17, SHARED),
  conv('cin 5 dilation 2, asymmetric pad, batch 2', DIL5, SHARED),
  conv('groups 2', GROUPS, SHARED),
  conv('c 17 stride 2, asymmetric pad', DW17, DW),
  conv('c 12 5x5 dilation 2 (vec4 loads)', DW12, DW),
  conv('cin 17 -> 40, batch 2', ONE17, ONE),
  conv('silu + residual', DIL5, REG, { act: silu, residual: true }),
  conv('hardswish + residual', GROUPS, SHARED, { act: hardswish, residual: true }),
  conv('clip + residual', DW17, DW, { act: { kind: 'clip', min: -0.5, max: 0.7 }, residual: true }),
  conv('leakyrelu + residual', ONE17, ONE, { act: { kind: 'leakyrelu', alpha: 0.1 }, residual: true }),
  conv('fp16-pair weights (f16pack)', ODD17, REG, { weights: 'f16pack' }),
  conv('fp16-pair weights (f16pack)', DW17, DW, { weights: 'f16pack' }),
  {
    name: 'conv2d_f32 [reg] native f16 weights (shader-f16)',
    tolerance: FLOAT_TOL,
    async run(gpu, r) {
      if (!gpu.caps.f16) return { error: 0, skipped: 'the device has no shader-f16' };
      return convOutcome(gpu, r, DIL5, REG, { weights: 'f16' });
    },
  },
];
