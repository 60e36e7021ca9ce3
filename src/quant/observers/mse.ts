/**
 * MSE-optimal clipping: among shrunken versions of the observed range, the one whose quantization grid gives the
 * smallest expected squared error on the observed distribution.
 *
 * Candidates: range * alpha for alpha = 2^(-k / stepsPerOctave), k = 0 .. stepsPerOctave * octaves - 1 (a
 * geometric grid: equal relative resolution whether the best clip is at 90% or at 5% of the full range).
 * Symmetric schemes take the amax from the shrunken range, asymmetric ones shrink both ends (widened to 0).
 *
 * Cost on a histogram: values are taken as uniform within each bin (clipped to the observed [min, max]), and the
 * mean of (x - fq(x))^2 over a bin is integrated exactly, piece by piece between the grid's rounding boundaries
 * (fq is a staircase; its clipped ends are flat). Real arithmetic, ties ignored: a model of the f32 rule, not a
 * replica. This is tighter than evaluating bin centres only (pytorch-quantization), which misjudges grids whose
 * step is close to the bin width.
 */
import { type QParams, type Range, type SchemeOptions, chooseQParams, resolveScheme } from '../affine.ts';
import { Histogram } from './histogram.ts';
import { BaseObserver, type Observer } from './observer.ts';

export interface MseSearchOptions {
  /** Candidates per halving of the range (default 32: steps of about 2.2%). */
  stepsPerOctave?: number;
  /** How far the search shrinks the range: down to 2^-octaves of it (default 10 for activations). */
  octaves?: number;
}

/** The candidate (with its cost) of least cost; ties keep the wider range. */
export function searchClipRange(
  full: Range,
  scheme: SchemeOptions,
  cost: (p: QParams) => number,
  opts: MseSearchOptions = {},
): Range {
  const steps = opts.stepsPerOctave ?? 32;
  const octaves = opts.octaves ?? 10;
  let best = full;
  let bestCost = Infinity;
  for (let k = 0; k < steps * octaves; k++) {
    const a = 2 ** (-k / steps);
    const r = { min: full.min * a, max: full.max * a };
    const c = cost(chooseQParams(r, scheme));
    if (c < bestCost) {
      bestCost = c;
      best = r;
    }
  }
  return best;
}

/** Sum over [l, r) of (x - y)^2 dx, without the cancellation of ((r-y)^3 - (l-y)^3) / 3. */
function segment(l: number, r: number, y: number): number {
  const a = l - y;
  const b = r - y;
  return ((b - a) * (a * a + a * b + b * b)) / 3;
}

/** Integral of (x - fq(x))^2 over [a, b) under p (real arithmetic). */
export function intervalSqError(a: number, b: number, p: QParams): number {
  const { scale: s, zeroPoint: z, qmin, qmax } = p;
  const level = (x: number): number => Math.min(qmax, Math.max(qmin, Math.floor(x / s + 0.5) + z));
  const qa = level(a);
  const qb = level(b);
  let total = 0;
  for (let q = qa; q <= qb; q++) {
    const l = q === qa ? a : Math.max(a, (q - z - 0.5) * s);
    const r = q === qb ? b : Math.min(b, (q - z + 0.5) * s);
    if (r > l) total += segment(l, r, (q - z) * s);
  }
  return total;
}

/** Expected sum of squared errors of everything in the histogram under p (see the module comment). */
export function histogramSqError(h: Histogram, p: QParams): number {
  const w = h.width;
  if (w === 0) return 0; // only zeros, which every grid represents exactly
  let total = 0;
  for (let i = 0; i < h.bins; i++) {
    for (const [c, lo, hi] of [[h.pos[i], i * w, (i + 1) * w], [h.neg[i], -(i + 1) * w, -i * w]]) {
      if (c === 0) continue;
      const a = Math.max(lo, h.min);
      const b = Math.min(hi, h.max);
      total += b > a ? (c * intervalSqError(a, b, p)) / (b - a) : c * (a - fqReal(a, p)) ** 2;
    }
  }
  return total;
}

function fqReal(x: number, p: QParams): number {
  const q = Math.min(p.qmax, Math.max(p.qmin, Math.round(x / p.scale) + p.zeroPoint));
  return (q - p.zeroPoint) * p.scale;
}

export class MseObserver extends BaseObserver {
  readonly method = 'mse';
  readonly hist: Histogram;

  constructor(readonly search: MseSearchOptions = {}, bins = 2048) {
    super();
    this.hist = new Histogram(bins);
  }

  observe(batch: ArrayLike<number>): void {
    this.hist.add(batch);
  }

  merge(other: Observer): void {
    this.hist.merge(this.same(other).hist);
  }

  range(scheme: SchemeOptions = {}): Range {
    const h = this.hist;
    this.checkNotEmpty(h.count);
    const s = resolveScheme(scheme);
    return searchClipRange({ min: h.min, max: h.max }, s, (p) => histogramSqError(h, p), this.search);
  }
}
