import { describe, expect, it } from 'vitest';
import { type Conv2dF32Params, type Conv2dF32Variant, conv2dF32Kernel, convFamilies } from '../src/shaders/conv2d_f32.ts';
import { type ConvShape, type ConvShapeInit, convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import { isDepthwise, packBias, packConvWeightsF32, packDepthwiseWeightsF32, packF16Pairs, roundToF16 } from '../src/shaders/pack-float.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { defaultConvVariant } from '../src/runtime/ops/conv-select.ts';
import { conv2dRef } from './reference/conv.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

const REG: Conv2dF32Variant = { family: 'reg', tm: 4, tn4: 2, wg: 64 };
const SHARED: Conv2dF32Variant = { family: 'shared', tm: 2, tn4: 1, wgx: 4, wgy: 8, bk: 8 };

interface Case {
  name: string;
  shape: ConvShapeInit;
  variant?: Conv2dF32Variant;
  params?: Omit<Conv2dF32Params, 'variant'>;
}

/** Runs one conv on the GPU and on the CPU with fresh random data; returns the relative error. */
async function convError(rng: Rng, c: Case): Promise<number> {
  const { device, caps } = await testGpu();
  const s: ConvShape = convShape(c.shape);
  const params: Conv2dF32Params = { variant: c.variant ?? defaultConvVariant(s, caps), ...c.params };
  const { outH, outW } = convOutSize(s);
  const outLen = s.n * outH * outW * s.cout;
  const x = rng.floats(s.n * s.h * s.w * s.cin);
  const w = rng.floats(s.cout * (s.cin / s.groups) * s.kh * s.kw);
  const bias = rng.floats(s.cout);
  const residual = params.residual ? rng.floats(outLen) : undefined;
  const f16 = params.weights === 'f16pack' || params.weights === 'f16';
  const spec = conv2dF32Kernel(s, params, caps);
  expectBindingsMatch(spec);
  const packed = spec.key.includes('"family":"dw"') ? packDepthwiseWeightsF32(w, s) : packConvWeightsF32(w, s);
  const inputs: Record<string, ArrayBufferView> = { input: x, weights: f16 ? packF16Pairs(packed) : packed, bias: packBias(bias, s.cout) };
  if (residual) inputs.residual = residual;
  const out = await runKernel(device, spec, inputs, { output: outLen * 4 });
  const wRef = f16 ? w.map(roundToF16) : w;
  const want = conv2dRef(x, wRef, s, { bias, residual, act: params.act });
  return relError(new Float32Array(out.output), want);
}

const base = { n: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const shapes: Case[] = [
  { name: 'cin 3 -> 5, 3x3 pad 1', shape: { ...base, h: 7, w: 9, cin: 3, cout: 5, kh: 3, kw: 3 } },
  { name: 'cin 17 -> 17, stride 2, odd size', shape: { ...base, h: 11, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, strideH: 2, strideW: 2 } },
  { name: 'asymmetric padding, 2x3 kernel', shape: { n: 2, h: 6, w: 7, cin: 5, cout: 12, kh: 2, kw: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 } },
  { name: 'dilation 2', shape: { ...base, h: 9, w: 10, cin: 8, cout: 9, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2 } },
  { name: 'groups 2', shape: { ...base, h: 8, w: 8, cin: 10, cout: 6, kh: 3, kw: 3, groups: 2 } },
  { name: 'depthwise 3x3 stride 2', shape: { ...base, h: 9, w: 9, cin: 17, cout: 17, kh: 3, kw: 3, groups: 17, strideH: 2, strideW: 2 } },
  { name: 'depthwise 5x5 dilation 2, asymmetric pad, 12 channels (vec4 loads)', shape: { n: 2, h: 10, w: 11, cin: 12, cout: 12, kh: 5, kw: 5, groups: 12, dilationH: 2, dilationW: 2, padTop: 4, padLeft: 3, padBottom: 2, padRight: 1 } },
  { name: '1x1', shape: { n: 2, h: 5, w: 7, cin: 17, cout: 40, kh: 1, kw: 1 } },
  { name: '7x7 stride 2 stem', shape: { n: 1, h: 12, w: 12, cin: 3, cout: 16, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 } },
];

describe('conv2d_f32 matches the CPU reference', () => {
  for (const c of shapes) {
    for (const fam of convFamilies(convShape(c.shape))) {
      it(`${c.name} [${fam}]`, async () => {
        const variant: Conv2dF32Variant =
          fam === 'reg' ? REG : fam === 'shared' ? SHARED : fam === 'dw' ? { family: 'dw', tm: 3, wg: 32 } : { family: '1x1', tm: 3, tn4: 3, wg: 32 };
        expect(await convError(testRng(), { ...c, variant })).toBeLessThanOrEqual(1e-4);
      });
    }
  }
});

describe('conv2d_f32 tile shapes', () => {
  const tiles: Conv2dF32Variant[] = [
    { family: 'reg', tm: 1, tn4: 1, wg: 64 }, { family: 'reg', tm: 4, tn4: 4, wg: 32 }, { family: 'reg', tm: 2, tn4: 3, wg: 128 }, { family: 'reg', tm: 3, tn4: 3, wg: 16 },
    { family: 'shared', tm: 4, tn4: 2, wgx: 2, wgy: 4, bk: 5 }, { family: 'shared', tm: 1, tn4: 4, wgx: 4, wgy: 4, bk: 16 },
  ];
  for (const variant of tiles) {
    it(JSON.stringify(variant), async () => {
      const shape = { ...base, n: 2, h: 7, w: 6, cin: 13, cout: 21, kh: 3, kw: 3, strideW: 2 };
      expect(await convError(testRng(), { name: '', shape, variant })).toBeLessThanOrEqual(1e-4);
    });
  }
});

const acts: Activation[] = [
  { kind: 'relu' }, { kind: 'clip', min: -0.5, max: 0.7 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'silu' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' },
];

describe('conv2d_f32 fused activation and residual', () => {
  const shape = { ...base, h: 6, w: 5, cin: 6, cout: 7, kh: 3, kw: 3 };
  for (const act of acts) {
    it(`act ${act.kind} + residual`, async () => {
      expect(await convError(testRng(), { name: '', shape, variant: REG, params: { act, residual: true } })).toBeLessThanOrEqual(1e-4);
    });
  }
  it('residual on the depthwise and shared families', async () => {
    const dw = { ...base, h: 6, w: 5, cin: 9, cout: 9, kh: 3, kw: 3, groups: 9 };
    const params = { act: { kind: 'relu' } as Activation, residual: true };
    expect(await convError(testRng(), { name: '', shape: dw, variant: { family: 'dw', tm: 4, wg: 64 }, params })).toBeLessThanOrEqual(1e-4);
    expect(await convError(testRng(), { name: '', shape, variant: SHARED, params })).toBeLessThanOrEqual(1e-4);
  });
});

describe('conv2d_f32 fp16 weights', () => {
  const shape = { ...base, h: 7, w: 7, cin: 5, cout: 17, kh: 3, kw: 3, strideH: 2 };
  it('f16pack fallback (u32 pairs, f32 compute) matches a reference with f16-rounded weights', async () => {
    expect(await convError(testRng(), { name: '', shape, variant: REG, params: { weights: 'f16pack' } })).toBeLessThanOrEqual(1e-4);
    const dw = { ...base, h: 6, w: 6, cin: 8, cout: 8, kh: 3, kw: 3, groups: 8 };
    expect(await convError(testRng(), { name: '', shape: dw, params: { weights: 'f16pack' } })).toBeLessThanOrEqual(1e-4);
  });
  it('f16 shader variant is selectable only with shader-f16', async () => {
    const { caps } = await testGpu();
    const s = convShape(shape);
    if (caps.f16) {
      expect(await convError(testRng(), { name: '', shape, params: { weights: 'f16' } })).toBeLessThanOrEqual(1e-4);
    } else {
      expect(() => conv2dF32Kernel(s, { weights: 'f16', variant: REG }, caps)).toThrow(/shader-f16/);
    }
    const spec = conv2dF32Kernel(s, { weights: 'f16', variant: REG }, { ...caps, f16: true });
    expect(spec.code.startsWith('enable f16;')).toBe(true);
    expectBindingsMatch(spec);
  });
});

describe('conv2d_f32 packing', () => {
  it('depthwise is recognised only for multiplier 1', () => {
    expect(isDepthwise(convShape({ n: 1, h: 4, w: 4, cin: 8, cout: 8, kh: 3, kw: 3, groups: 8 }))).toBe(true);
    expect(isDepthwise(convShape({ n: 1, h: 4, w: 4, cin: 8, cout: 16, kh: 3, kw: 3, groups: 8 }))).toBe(false);
  });
  it('places OIHW element (co, ci, ky, kx) at ((g*kk + k) * coutGPad) + co%coutG', () => {
    const rng = testRng();
    const s = convShape({ n: 1, h: 4, w: 4, cin: 6, cout: 10, kh: 2, kw: 3, groups: 2 });
    const w = rng.floats(10 * 3 * 2 * 3);
    const p = packConvWeightsF32(w, s);
    expect(p.length).toBe(2 * 18 * 8);
    const [co, ci, ky, kx] = [7, 2, 1, 2];
    expect(p[(1 * 18 + (ky * 3 + kx) * 3 + ci) * 8 + 2]).toBe(w[((co * 3 + ci) * 2 + ky) * 3 + kx]);
  });
});

describe('f16 rounding helpers', () => {
  it('round to nearest even, overflow to infinity, subnormals', async () => {
    const { f32ToF16Bits, f16BitsToF32 } = await import('../src/shaders/pack-float.ts');
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(f32ToF16Bits(2 ** -24)).toBe(1);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie -> even (zero)
    expect(f16BitsToF32(0x3555)).toBe(0.333251953125);
    const rng = testRng();
    for (let i = 0; i < 1000; i++) {
      const v = rng.uniform(-100, 100);
      const r = roundToF16(v);
      expect(Math.abs(r - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
      expect(roundToF16(r)).toBe(r);
    }
  });
});
