import { describe, expect, it } from 'vitest';
import {
  type Granularity, chooseQParams, chooseTensorQParams, dequantizeTensor, dequantizeValue, fakeQuantize, paramShape,
  qRange, quantizeTensor, quantizeValue, resolveScheme, roundHalfEven, slotRanges, sqnr,
} from '../src/quant/index.ts';
import { testRng } from './helpers/rng.ts';

/** Round half away from zero (C's round(), what many tutorials assume). */
const roundHalfAway = (v: number): number => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

describe('affine quantization: known values', () => {
  it('[-2.5, 3.5] to int8 asymmetric: s = 6/255, z = -22, everything in range and back within s/2', () => {
    const p = chooseQParams({ min: -2.5, max: 3.5 }, { bits: 8, symmetric: false });
    expect(p.scale).toBe(Math.fround(6 / 255));
    expect(p.zeroPoint).toBe(-22);
    expect([p.qmin, p.qmax]).toEqual([-128, 127]);
    const n = 60001;
    let [qlo, qhi, worst] = [Infinity, -Infinity, 0];
    for (let i = 0; i < n; i++) {
      const x = Math.fround(-2.5 + (6 * i) / (n - 1));
      const q = quantizeValue(x, p);
      [qlo, qhi] = [Math.min(qlo, q), Math.max(qhi, q)];
      worst = Math.max(worst, Math.abs(dequantizeValue(q, p) - x));
    }
    expect([qlo, qhi]).toEqual([-128, 127]);
    expect(worst).toBeLessThanOrEqual(p.scale / 2 + 1e-6);
    expect(worst).toBeGreaterThan(p.scale / 2 - 1e-4); // the bound is reached (the sweep hits midpoints)
    expect(quantizeValue(-2.5, p)).toBe(-128);
    expect(quantizeValue(3.5, p)).toBe(127);
  });

  it('1.8 maps to 54 (half to even) or 55 (half away); the tutorial formula round((x - z) / s) gives 1012', () => {
    const p = chooseQParams({ min: -2.5, max: 3.5 }, { bits: 8, symmetric: false });
    const scaled = Math.fround(Math.fround(1.8) * p.invScale); // what CPU and GPU compute
    expect(scaled).toBe(76.5); // an exact tie, so the rounding rule decides
    expect(quantizeValue(1.8, p)).toBe(54);
    expect(roundHalfEven(scaled) + p.zeroPoint).toBe(54);
    expect(roundHalfAway(scaled) + p.zeroPoint).toBe(55);
    expect(roundHalfAway((1.8 - p.zeroPoint) / (6 / 255))).toBe(1012);
    expect(roundHalfEven((1.8 - p.zeroPoint) / (6 / 255))).toBe(1012);
  });

  it('round half to even matches WGSL round() on ties and Math.round elsewhere', () => {
    const ties: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, -0], [-1.5, -2], [-2.5, -2], [76.5, 76], [77.5, 78]];
    for (const [v, want] of ties) expect(roundHalfEven(v)).toBe(want);
    const rng = testRng();
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround(rng.uniform(-300, 300));
      if (Math.abs(v - Math.trunc(v)) === 0.5) continue;
      expect(roundHalfEven(v) + 0).toBe(Math.round(v) + 0); // + 0: -0 and 0 are the same code
    }
  });

  it('integer ranges for 2..8 and 16 bits, signed, unsigned, narrow', () => {
    for (const bits of [2, 3, 4, 5, 6, 7, 8, 16]) {
      const full = qRange(resolveScheme({ bits, signed: true, narrow: false }));
      expect(full).toEqual({ qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 });
      expect(qRange(resolveScheme({ bits, symmetric: true }))).toEqual({ qmin: full.qmin + 1, qmax: full.qmax });
      expect(qRange(resolveScheme({ bits, signed: false }))).toEqual({ qmin: 0, qmax: 2 ** bits - 1 });
    }
    expect(qRange(resolveScheme({ bits: 8 }))).toEqual({ qmin: -127, qmax: 127 });
    expect(qRange(resolveScheme({ bits: 4 }))).toEqual({ qmin: -7, qmax: 7 });
    expect(() => resolveScheme({ bits: 1 })).toThrow(/bits/);
  });
});

describe('affine quantization: random schemes', () => {
  it('asymmetric: zero is exact, every value of the range comes back within s/2', () => {
    const rng = testRng();
    for (let t = 0; t < 200; t++) {
      const bits = [2, 3, 4, 5, 6, 7, 8, 16][rng.int(0, 7)];
      const signed = rng.next() < 0.5;
      const a = rng.uniform(-10, 10);
      const b = rng.uniform(-10, 10);
      const p = chooseQParams({ min: Math.min(a, b), max: Math.max(a, b) }, { bits, symmetric: false, signed });
      expect(quantizeValue(0, p)).toBe(p.zeroPoint);
      expect(dequantizeValue(p.zeroPoint, p)).toBe(0);
      const lo = Math.min(a, b, 0);
      const hi = Math.max(a, b, 0);
      for (let i = 0; i < 50; i++) {
        const x = Math.fround(rng.uniform(lo, hi));
        const q = quantizeValue(x, p);
        expect(Number.isInteger(q) && q >= p.qmin && q <= p.qmax).toBe(true);
        expect(Math.abs(dequantizeValue(q, p) - x)).toBeLessThanOrEqual(p.scale * 0.5 + Math.max(-lo, hi) * 2 ** -22); // + f32 rounding
      }
    }
  });

  it('symmetric narrow keeps -x representable: q(-x) = -q(x); the full range still covers [-amax, amax]', () => {
    const rng = testRng();
    for (const bits of [2, 4, 8, 16]) {
      const amax = rng.uniform(0.1, 5);
      const p = chooseQParams({ min: -amax, max: amax }, { bits, symmetric: true });
      expect(p.zeroPoint).toBe(0);
      for (let i = 0; i < 500; i++) {
        const x = Math.fround(rng.uniform(-2 * amax, 2 * amax));
        expect(quantizeValue(-x, p)).toBe(-quantizeValue(x, p) + 0);
      }
      const full = chooseQParams({ min: -amax, max: amax }, { bits, symmetric: true, narrow: false });
      // Full range: s = amax / ((qmax - qmin) / 2) (PyTorch, ORT); [-amax, amax] is still covered within s/2.
      expect(full.scale).toBe(Math.fround(amax / ((full.qmax - full.qmin) / 2)));
      for (let i = 0; i <= 100; i++) {
        const x = Math.fround(-amax + (2 * amax * i) / 100);
        expect(Math.abs(dequantizeValue(quantizeValue(x, full), full) - x)).toBeLessThanOrEqual(full.scale * 0.5 + amax * 2 ** -22); // + f32 rounding of x'
      }
    }
  });

  it('dequantize(quantize(x)) equals fakeQuantize(x), and storage types follow bits and sign', () => {
    const rng = testRng();
    const x = rng.floats(999, -3, 5);
    for (const [bits, signed, type] of [[4, true, Int8Array], [8, false, Uint8Array], [16, true, Int16Array], [16, false, Uint16Array]] as const) {
      const p = chooseQParams({ min: -3, max: 5 }, { bits, signed, symmetric: false });
      const q = quantizeTensor(x, p);
      expect(q).toBeInstanceOf(type);
      expect(fakeQuantize(x, p)).toEqual(dequantizeTensor(q, p));
    }
  });
});

describe('per-channel and per-group parameters', () => {
  /** Slot of flat index i, computed independently from the multi-index. */
  function slotOf(dims: number[], g: Granularity, i: number): number {
    const idx: number[] = [];
    for (let a = dims.length - 1; a >= 0; a--) {
      idx[a] = i % dims[a];
      i = Math.floor(i / dims[a]);
    }
    if (g.kind === 'tensor') return 0;
    if (g.kind === 'channel') return idx[g.axis];
    const shape = paramShape(dims, g);
    const pidx = idx.map((v, a) => (a === g.axis ? Math.floor(v / g.groupSize) : v));
    return pidx.reduce((acc, v, a) => acc * shape[a] + v, 0);
  }

  it('paramShape', () => {
    expect(paramShape([8, 3, 3, 3], { kind: 'channel', axis: 0 })).toEqual([8]);
    expect(paramShape([2, 10, 3], { kind: 'group', axis: 1, groupSize: 4 })).toEqual([2, 3, 3]);
    expect(paramShape([5], { kind: 'tensor' })).toEqual([]);
    expect(() => paramShape([2, 3], { kind: 'channel', axis: 2 })).toThrow(/axis 2 out of range/);
  });

  it('each element is quantized with its own slot parameters', () => {
    const rng = testRng();
    const dims = [rng.int(1, 4), rng.int(1, 7), rng.int(1, 3), rng.int(1, 5)];
    const n = dims.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, () => rng.uniform(-1, 1) * 10 ** rng.uniform(-1, 1));
    const grans: Granularity[] = [
      { kind: 'tensor' },
      { kind: 'channel', axis: rng.int(0, 3) },
      { kind: 'group', axis: 1, groupSize: rng.int(1, 4) },
    ];
    for (const g of grans) {
      for (const symmetric of [true, false]) {
        const ranges = slotRanges(x, dims, g);
        const p = chooseTensorQParams(ranges, dims, g, { bits: 4, symmetric });
        const q = quantizeTensor(x, p);
        const back = dequantizeTensor(q, p);
        for (let i = 0; i < n; i++) {
          const s = slotOf(dims, g, i);
          const sp = chooseQParams({ min: ranges.min[s], max: ranges.max[s] }, { bits: 4, symmetric });
          expect(q[i]).toBe(quantizeValue(x[i], sp));
          expect(back[i]).toBe(dequantizeValue(q[i], sp));
          expect(x[i]).toBeGreaterThanOrEqual(ranges.min[s]);
          expect(x[i]).toBeLessThanOrEqual(ranges.max[s]);
        }
      }
    }
  });
});

describe('errors', () => {
  it('SQNR in dB', () => {
    expect(sqnr([1, 1, 1, 1], [1, 1, 1, 0])).toBeCloseTo(10 * Math.log10(4), 12);
    expect(sqnr([1, 2], [1, 2])).toBe(Infinity);
  });

  it('bad ranges and lengths are named', () => {
    expect(() => chooseQParams({ min: 1, max: 0 })).toThrow(/invalid range \[1, 0\]/);
    expect(() => chooseQParams({ min: NaN, max: 0 })).toThrow(/invalid range/);
    const p = chooseTensorQParams({ min: new Float64Array(2), max: new Float64Array([1, 1]) }, [2, 3], { kind: 'channel', axis: 0 });
    expect(() => quantizeTensor(new Float32Array(5), p)).toThrow(/5 elements, dims \[2,3\] need 6/);
  });
});
