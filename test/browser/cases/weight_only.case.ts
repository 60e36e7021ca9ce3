/**
 * Weight-only int8 / int4 (f32 activations, weights dequantized in the shader), conv on every family
 * (Gemm/MatMul run as 1x1 convs), per output channel and per group. Reference: the float conv on the packer's
 * dequantized weights. Run by the Chromium suite and, as test/weight_only.test.ts, under Node.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { type ConvShapeInit, convShape } from '../../../src/shaders/conv-shape.ts';
import type { Conv2dF32Variant } from '../../../src/shaders/conv2d_f32.ts';
import { type Conv2dWoParams, conv2dWoKernel, packConvWeightsWo } from '../../../src/shaders/conv2d_wo.ts';
import { packBias } from '../../../src/shaders/pack-float.ts';
import { conv2dRef, convOutRef } from '../../reference/conv.ts';
import { type Case, FLOAT_TOL, type Outcome, type Rng, floatOutcome, runSpec } from '../suite.ts';

async function convWo({ device, caps }: GpuContext, r: Rng, init: ConvShapeInit, variant: Conv2dF32Variant,
  params: Omit<Conv2dWoParams, 'variant'>): Promise<Outcome> {
  const s = convShape(init);
  const { outH, outW } = convOutRef(s);
  const outLen = s.n * outH * outW * s.cout;
  const x = r.floats(s.n * s.h * s.w * s.cin);
  const w = r.floats(s.cout * (s.cin / s.groups) * s.kh * s.kw);
  const bias = r.floats(s.cout);
  const residual = params.residual ? r.floats(outLen) : undefined;
  const packed = packConvWeightsWo(w, s, { bits: params.bits, groupSize: params.groupSize, variant });
  const spec = conv2dWoKernel(s, { ...params, variant }, caps);
  const inputs: Record<string, ArrayBufferView> = { input: x, weights: packed.weights, scales: packed.scales, bias: packBias(bias, s.cout) };
  if (residual) inputs.residual = residual;
  const out = await runSpec(device, spec, inputs, { output: outLen * 4 });
  return floatOutcome(new Float32Array(out.output), conv2dRef(x, packed.dequant, s, { bias, residual, act: params.act }), spec.key);
}

const REG: Conv2dF32Variant = { family: 'reg', tm: 4, tn4: 2, wg: 64 };
const SHARED: Conv2dF32Variant = { family: 'shared', tm: 2, tn4: 1, wgx: 4, wgy: 4, bk: 8 };
/** cin 17, stride 2 on H only, asymmetric padding. */
const CONV17: ConvShapeInit = { n: 1, h: 9, w: 7, cin: 17, cout: 13, kh: 3, kw: 3, strideH: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 };
const GROUPED: ConvShapeInit = { ...CONV17, cin: 10, cout: 6, groups: 2, dilationW: 2 };
const DW: ConvShapeInit = { n: 1, h: 8, w: 9, cin: 11, cout: 11, kh: 3, kw: 3, groups: 11, strideW: 2, padTop: 1, padLeft: 1, padBottom: 2, padRight: 1 };
const ONE: ConvShapeInit = { n: 1, h: 5, w: 6, cin: 24, cout: 19, kh: 1, kw: 1 };

export const cases: Case[] = ([8, 4] as const).flatMap((bits): Case[] => {
  const conv = (name: string, init: ConvShapeInit, variant: Conv2dF32Variant, params: Omit<Conv2dWoParams, 'variant' | 'bits'> = {}): Case => ({
    name: `conv2d_wo w${bits} [${variant.family}] ${name}`,
    tolerance: FLOAT_TOL,
    run: (gpu, r) => convWo(gpu, r, init, variant, { ...params, bits }),
  });
  return [
    conv('per channel, cin 17 stride 2', CONV17, REG),
    conv('per group of 9 rows, relu + residual', CONV17, REG, { groupSize: 9, act: { kind: 'relu' }, residual: true }),
    conv('groups 2, dilation 2, per group of 15', GROUPED, SHARED, { groupSize: 15 }),
    conv('depthwise c 11', DW, { family: 'dw', tm: 3, wg: 32 }),
    conv('1x1 per group of 8', ONE, { family: '1x1', tm: 4, tn4: 2, wg: 64 }, { groupSize: 8 }),
  ];
});
