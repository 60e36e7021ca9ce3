/**
 * Precision conversion kernels under Node's Dawn: the cases of test/browser/cases/precision.case.ts (also run in
 * Chromium), the fixed-point multiplier's range, and the windows the kernels refuse.
 */
import { describe, expect, it } from 'vitest';
import { dequantizeKernel } from '../src/shaders/dequantize.ts';
import { quantizeKernel } from '../src/shaders/quantize.ts';
import { fixedMultiplier } from '../src/shaders/requantize-math.ts';
import { requantizeExactKernel } from '../src/shaders/requantize_exact.ts';
import { cases } from './browser/cases/precision.case.ts';
import { itCases } from './browser/node-cases.ts';
import { testRng } from './helpers/rng.ts';

describe('quantize, dequantize, requantize, mul_shift_round, quantize_div (bit-exact)', () => itCases(cases));

describe('fixed-point multipliers and windows', () => {
  it('fixedMultiplier represents ratios to 31 bits', () => {
    const rng = testRng();
    for (let i = 0; i < 200; i++) {
      const r = 2 ** rng.uniform(-30, 20);
      const { m0: m, r: s } = fixedMultiplier(r);
      expect(m).toBeGreaterThanOrEqual(2 ** 30);
      expect(m).toBeLessThan(2 ** 31);
      expect(Math.abs(m / 2 ** s - r) / r).toBeLessThanOrEqual(2 ** -30);
    }
    expect(() => fixedMultiplier(0)).toThrow(/positive/);
  });
  it('windows outside the rows, and dequantize windows on channels-first output, are refused', () => {
    const p = { scale: 0.1, zeroPoint: 3 };
    expect(() => quantizeKernel(p, { rows: 4, c: 5, window: { stride: 5, offset: 1 } })).toThrow(/outside rows/);
    expect(() => dequantizeKernel({ ...p, channelsFirst: true }, { rows: 4, c: 5, inner: 1, window: { stride: 8, offset: 1 } })).toThrow(/channels-last/);
    expect(() => requantizeExactKernel({ input: p, output: p }, { rows: 4, cw: 2, window: { stride: 2, offset: 1 } })).toThrow(/outside rows/);
  });
});
