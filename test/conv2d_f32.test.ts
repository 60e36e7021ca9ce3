/**
 * Float conv under Node's Dawn: the cases of test/browser/cases/conv2d_f32.case.ts (also run in Chromium:
 * families x awkward shapes, tiles, activations + residual, fp16 weights), the shader-f16 gate, packing and
 * f16 rounding.
 */
import { describe, expect, it } from 'vitest';
import { conv2dF32Kernel } from '../src/shaders/conv2d_f32.ts';
import { convShape } from '../src/shaders/conv-shape.ts';
import { isDepthwise, packConvWeightsF32, roundToF16 } from '../src/shaders/pack-float.ts';
import { cases } from './browser/cases/conv2d_f32.case.ts';
import { itCases } from './browser/node-cases.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { testRng } from './helpers/rng.ts';

describe('conv2d_f32 matches the CPU reference', () => itCases(cases));

describe('conv2d_f32 fp16 weights', () => {
  it('the f16 shader variant needs shader-f16 and enables it', async () => {
    const { caps } = await testGpu();
    const s = convShape({ n: 1, h: 7, w: 7, cin: 5, cout: 17, kh: 3, kw: 3, strideH: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
    const reg = { family: 'reg', tm: 4, tn4: 2, wg: 64 } as const;
    if (!caps.f16) expect(() => conv2dF32Kernel(s, { weights: 'f16', variant: reg }, caps)).toThrow(/shader-f16/);
    const spec = conv2dF32Kernel(s, { weights: 'f16', variant: reg }, { ...caps, f16: true });
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
