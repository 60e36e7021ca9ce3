import { describe, expect, it } from 'vitest';
import { type Conv2dWoParams, conv2dWoKernel, packConvWeightsWo, quantizeWo } from '../src/shaders/conv2d_wo.ts';
import type { Conv2dF32Variant } from '../src/shaders/conv2d_f32.ts';
import { type ConvShapeInit, convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import { packBias } from '../src/shaders/pack-float.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { conv2dRef } from './reference/conv.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

/** GPU weight-only conv vs the float reference run on the dequantized weights. */
async function convWoError(rng: Rng, init: ConvShapeInit, variant: Conv2dF32Variant, params: Omit<Conv2dWoParams, 'variant'>): Promise<number> {
  const { device, caps } = await testGpu();
  const s = convShape(init);
  const { outH, outW } = convOutSize(s);
  const outLen = s.n * outH * outW * s.cout;
  const x = rng.floats(s.n * s.h * s.w * s.cin);
  const w = rng.floats(s.cout * (s.cin / s.groups) * s.kh * s.kw);
  const bias = rng.floats(s.cout);
  const residual = params.residual ? rng.floats(outLen) : undefined;
  const packed = packConvWeightsWo(w, s, { bits: params.bits, groupSize: params.groupSize, variant });
  const spec = conv2dWoKernel(s, { ...params, variant }, caps);
  expectBindingsMatch(spec);
  const inputs: Record<string, ArrayBufferView> = { input: x, weights: packed.weights, scales: packed.scales, bias: packBias(bias, s.cout) };
  if (residual) inputs.residual = residual;
  const out = await runKernel(device, spec, inputs, { output: outLen * 4 });
  return relError(new Float32Array(out.output), conv2dRef(x, packed.dequant, s, { bias, residual, act: params.act }));
}

const REG: Conv2dF32Variant = { family: 'reg', tm: 4, tn4: 2, wg: 64 };
const conv3 = { n: 1, h: 9, w: 7, cin: 17, cout: 13, kh: 3, kw: 3, strideH: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 };

describe('weight-only conv matches the reference on dequantized weights', () => {
  for (const bits of [8, 4] as const) {
    it(`int${bits} per channel [reg]`, async () => {
      expect(await convWoError(testRng(), conv3, REG, { bits })).toBeLessThanOrEqual(1e-4);
    });
    it(`int${bits} per group of 9 rows, relu + residual [reg]`, async () => {
      expect(await convWoError(testRng(), conv3, REG, { bits, groupSize: 9, act: { kind: 'relu' }, residual: true })).toBeLessThanOrEqual(1e-4);
    });
    it(`int${bits} groups=2 [shared]`, async () => {
      const shape = { ...conv3, cin: 10, cout: 6, groups: 2 };
      const v: Conv2dF32Variant = { family: 'shared', tm: 2, tn4: 1, wgx: 4, wgy: 4, bk: 8 };
      expect(await convWoError(testRng(), shape, v, { bits, groupSize: 15 })).toBeLessThanOrEqual(1e-4);
    });
    it(`int${bits} depthwise [dw]`, async () => {
      const shape = { n: 1, h: 8, w: 9, cin: 11, cout: 11, kh: 3, kw: 3, groups: 11, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
      expect(await convWoError(testRng(), shape, { family: 'dw', tm: 3, wg: 32 }, { bits })).toBeLessThanOrEqual(1e-4);
    });
    it(`int${bits} 1x1 per group of 8 [1x1]`, async () => {
      const shape = { n: 1, h: 5, w: 6, cin: 24, cout: 19, kh: 1, kw: 1 };
      expect(await convWoError(testRng(), shape, { family: '1x1', tm: 4, tn4: 2, wg: 64 }, { bits, groupSize: 8 })).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('weight-only packing', () => {
  it('int4: nibble j of word i is element 8i+j, two\'s complement; int8: byte j of word i is element 4i+j', () => {
    // Two rows x 8 columns, per-column scale max|w|/7, so every non-zero column quantizes to +-7.
    const row = [1, -1, 7, -7, 0, 3, -4, 2];
    const ident = (w: Float32Array): Float32Array => w;
    const q4 = quantizeWo(Float32Array.from([...row, ...row.map((v) => -v)]), ident, 2, 8, { bits: 4 }, 'test');
    // Elements 7..0 of row 0 are [7, -7, 7, 0, -7, 7, -7, 7] -> nibbles 7 9 7 0 9 7 9 7 (element 0 lowest).
    expect(q4.weights[0]).toBe(0x79709797);
    expect(q4.weights[1]).toBe(0x97907979);
    expect(q4.scales[2]).toBe(1);
    expect(q4.scales[4]).toBe(1); // an all-zero column keeps scale 1
    const q8 = quantizeWo(Float32Array.from([127, -127, 0, 1, 2, 3, 4, 5]), ident, 1, 8, { bits: 8 }, 'test');
    // One row: each column is its own block, so non-zero values quantize to +-127: bytes 7f 81 00 7f.
    expect(q8.weights[0]).toBe(0x7f00817f);
    expect(q8.scales[0]).toBe(1);
    expect(q8.scales[3]).toBe(Math.fround(1 / 127));
  });
});
