/** References of pooling on NHWC (float in f64; int8 bit-exact), written from the ONNX definitions. */
import type { PoolParams } from '../../src/shaders/pool.ts';
import { mulShiftRoundRef as mulShiftRef } from './requant.ts';

interface Geo { kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number }

function geo(p: PoolParams): Geo {
  return {
    kh: p.kh, kw: p.kw, sh: p.strideH ?? 1, sw: p.strideW ?? 1, dh: p.dilationH ?? 1, dw: p.dilationW ?? 1,
    pt: p.padTop ?? 0, pl: p.padLeft ?? 0, pb: p.padBottom ?? 0, pr: p.padRight ?? 0,
  };
}

/** ONNX output length; with ceil_mode, drop a last window that would start in the end padding. */
export function poolLenRef(len: number, k: number, s: number, d: number, p0: number, p1: number, ceil: boolean): number {
  const eff = d * (k - 1) + 1;
  const out = ceil ? Math.ceil((len + p0 + p1 - eff) / s + 1) : Math.floor((len + p0 + p1 - eff) / s + 1);
  return ceil && (out - 1) * s >= len + p0 ? out - 1 : out;
}

/**
 * Visits every output (b, oy, ox) with the list of in-image taps [y, x] and the divisor ONNX uses for
 * AveragePool (taps inside the padded extent when count_include_pad, else in-image taps).
 */
function windows(n: number, h: number, w: number, p: PoolParams, fn: (b: number, taps: [number, number][], count: number) => void): { oh: number; ow: number } {
  const g = geo(p);
  const oh = poolLenRef(h, g.kh, g.sh, g.dh, g.pt, g.pb, p.ceilMode ?? false);
  const ow = poolLenRef(w, g.kw, g.sw, g.dw, g.pl, g.pr, p.ceilMode ?? false);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const taps: [number, number][] = [];
    let padded = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const y = oy * g.sh - g.pt + ky * g.dh;
      const x = ox * g.sw - g.pl + kx * g.dw;
      if (y < h + g.pb && x < w + g.pr) padded++;
      if (y >= 0 && y < h && x >= 0 && x < w) taps.push([y, x]);
    }
    fn(b, taps, p.countIncludePad ? padded : taps.length);
  }
  return { oh, ow };
}

export function poolRef(x: ArrayLike<number>, n: number, h: number, w: number, c: number, p: PoolParams): Float64Array {
  const out: number[] = [];
  windows(n, h, w, p, (b, taps, count) => {
    for (let ch = 0; ch < c; ch++) {
      const vals = taps.map(([y, xx]) => x[((b * h + y) * w + xx) * c + ch]);
      out.push(p.kind === 'max' ? Math.max(...vals) : vals.reduce((a, v) => a + v, 0) / count);
    }
  });
  return Float64Array.from(out);
}

/** round(s / n), ties to even. */
const roundDiv = (s: number, n: number): number => {
  const f = Math.floor(s / n);
  const r = s - f * n;
  return 2 * r > n || (2 * r === n && f % 2 !== 0) ? f + 1 : f;
};

/** Int8 max / average pool (same qparams in and out) on logical NHWC int8 values. */
export function poolInt8Ref(q: ArrayLike<number>, n: number, h: number, w: number, c: number, p: PoolParams, zp: number): number[] {
  const out: number[] = [];
  windows(n, h, w, p, (b, taps, count) => {
    for (let ch = 0; ch < c; ch++) {
      const vals = taps.map(([y, xx]) => q[((b * h + y) * w + xx) * c + ch]);
      out.push(p.kind === 'max' ? Math.max(-128, ...vals) : zp + roundDiv(vals.reduce((a, v) => a + v - zp, 0), count));
    }
  });
  return out;
}

/** Int8 global average pool with output requantization through the fixed multiplier (m, s). */
export function globalAvgPoolInt8Ref(q: ArrayLike<number>, n: number, hw: number, c: number, zp: number, zpOut: number, m: number, s: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < hw; i++) sum += q[(b * hw + i) * c + ch] - zp;
    out.push(Math.min(Math.max(zpOut + mulShiftRef(sum, m, s), -128), 127));
  }
  return out;
}
