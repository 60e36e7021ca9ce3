import { describe, expect, it } from 'vitest';
import {
  chooseQParams, fakeQuantize, gatherSlots, meanSquaredError, paramsFor, simulate, slotParams, sqnr, weightQParams,
} from '../src/quant/index.ts';
import { testRng } from './helpers/rng.ts';

/** Per-slot sum of squared fake-quantization errors. */
function slotErrors(w: Float32Array, dims: number[], params: ReturnType<typeof weightQParams>): number[] {
  const fq = fakeQuantize(w, params);
  const orig = gatherSlots(w, dims, params.granularity);
  const got = gatherSlots(fq, dims, params.granularity);
  return orig.map((o, s) => meanSquaredError(o, got[s]) * o.length);
}

describe('weight quantization parameters', () => {
  it('per-channel min/max on OIHW weights: one scale per output channel from its own range', () => {
    const rng = testRng();
    const dims = [rng.int(2, 9), rng.int(1, 5), 3, 3];
    const per = dims.slice(1).reduce((a, b) => a * b, 1);
    const w = Float32Array.from({ length: dims[0] * per }, (_, i) => rng.uniform(-1, 1) * (1 + Math.floor(i / per)));
    const p = weightQParams(w, dims, { bits: 8 });
    expect(p.scale.length).toBe(dims[0]);
    for (let o = 0; o < dims[0]; o++) {
      const ch = w.subarray(o * per, (o + 1) * per);
      const amax = ch.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(p.scale[o]).toBe(Math.fround(amax / 127));
      expect(p.zeroPoint[o]).toBe(0);
    }
    const back = fakeQuantize(w, p);
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(back[i] - w[i])).toBeLessThanOrEqual(p.scale[Math.floor(i / per)] / 2 + 1e-6);
    }
  });

  it('any axis: per-channel along axis 1 and per group along the reduction axis', () => {
    const rng = testRng();
    const dims = [3, 5, 2];
    const w = rng.floats(30, -2, 2);
    const p1 = weightQParams(w, dims, { granularity: { kind: 'channel', axis: 1 }, symmetric: false });
    expect(p1.scale.length).toBe(5);
    for (let c = 0; c < 5; c++) {
      const vals = [0, 1, 2].flatMap((a) => [0, 1].map((b) => w[a * 10 + c * 2 + b]));
      const want = chooseQParams({ min: Math.min(...vals), max: Math.max(...vals) }, { symmetric: false });
      expect(slotParams(p1, c)).toEqual(want);
    }
    const pg = weightQParams(w, [15, 2], { granularity: { kind: 'group', axis: 0, groupSize: 4 }, bits: 4 });
    expect(pg.scale.length).toBe(4 * 2); // ceil(15 / 4) blocks x 2 columns
  });

  it('MSE per channel never does worse than min/max, and wins at 4 bits on a channel with an outlier', () => {
    const rng = testRng();
    const dims = [6, 64, 3, 3];
    const per = 64 * 9;
    const w = Float32Array.from({ length: 6 * per }, () => rng.normal() * 0.1);
    w[rng.int(0, per - 1)] = 0.6; // channel 0: one outlier at 6 sigma
    for (const bits of [8, 4]) {
      const mm = slotErrors(w, dims, weightQParams(w, dims, { bits, method: 'minmax' }));
      const ms = slotErrors(w, dims, weightQParams(w, dims, { bits, method: 'mse' }));
      for (let o = 0; o < 6; o++) expect(ms[o]).toBeLessThanOrEqual(mm[o]);
      if (bits === 4) expect(ms[0]).toBeLessThan(mm[0] * 0.8); // at 8 bits rounding noise is too small to trade
    }
  });
});

describe('simulate a configuration', () => {
  it('fake-quantizes with parameters chosen from the tensor and reports its SQNR', () => {
    const rng = testRng();
    const x = rng.floats(2048, -1, 1);
    for (const method of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
      const r = simulate(x, [2048], { method, bits: 8 });
      expect(r.output).toEqual(fakeQuantize(x, r.params));
      expect(r.sqnrDb).toBe(sqnr(x, r.output));
      expect(r.sqnrDb).toBeGreaterThan(35); // uniform data, int8: about 6.02 * 8 - 1.25 dB at best
    }
    const int4 = simulate(x, [2048], { bits: 4 }).sqnrDb;
    expect(int4).toBeLessThan(simulate(x, [2048], { bits: 8 }).sqnrDb - 18);
    expect(() => paramsFor(x, [32, 64], { method: 'entropy', granularity: { kind: 'channel', axis: 0 } })).toThrow(/per-tensor only/);
  });
});
