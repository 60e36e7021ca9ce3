/**
 * MSE-optimal clipping: among shrunken versions of the observed range, the one whose quantization grid gives the
 * smallest expected squared error on the observed distribution.
 *
 * Candidates: range * alpha for alpha = 2^(-k / stepsPerOctave), k = 0 .. stepsPerOctave * octaves - 1 (a
 * geometric grid: equal relative resolution whether the best clip is at 90% or at 5% of the full range),
 * searched coarse to fine (see searchClipRange).
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

/**
 * The candidate range of least cost. Coarse to fine: every 8th grid point first, then every grid point within 8
 * steps of the best coarse one (about 7x fewer evaluations than the full grid). Ties keep the wider range.
 */
export function searchClipRange(
  full: Range,
  scheme: SchemeOptions,
  cost: (p: QParams) => number,
  opts: MseSearchOptions = {},
): Range {
  const steps = opts.stepsPerOctave ?? 32;
  const total = steps * (opts.octaves ?? 10);
  const stride = 8;
  const at = (k: number): Range => {
    const a = 2 ** (-k / steps);
    return { min: full.min * a, max: full.max * a };
  };
  let bestK = 0;
  let bestCost = Infinity;
  const tryK = (k: number): void => {
    const c = cost(chooseQParams(at(k), scheme));
    if (c < bestCost || (c === bestCost && k < bestK)) [bestK, bestCost] = [k, c];
  };
  for (let k = 0; k < total; k += stride) tryK(k);
  const centre = bestK;
  for (let k = Math.max(0, centre - stride + 1); k < Math.min(total, centre + stride); k++) if (k % stride) tryK(k);
  return at(bestK);
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
  // No inner closure: this runs per histogram bin per candidate (millions of calls in a calibration).
  const qa = Math.min(qmax, Math.max(qmin, Math.floor(a / s + 0.5) + z));
  const qb = Math.min(qmax, Math.max(qmin, Math.floor(b / s + 0.5) + z));
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
    if (h.pos[i]) total += binSqError(h.pos[i], i * w, (i + 1) * w, h, p);
    if (h.neg[i]) total += binSqError(h.neg[i], -(i + 1) * w, -i * w, h, p);
  }
  return total;
}

/** c values spread uniformly over the bin [lo, hi) clipped to the observed [min, max]. */
function binSqError(c: number, lo: number, hi: number, h: Histogram, p: QParams): number {
  const a = Math.max(lo, h.min);
  const b = Math.min(hi, h.max);
  if (b > a) return (c * intervalSqError(a, b, p)) / (b - a);
  const q = Math.min(p.qmax, Math.max(p.qmin, Math.round(a / p.scale) + p.zeroPoint)); // a single value
  return c * (a - (q - p.zeroPoint) * p.scale) ** 2;
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
