/**
 * Percentile clipping: the range that holds `percentile`% of the observed values, read from the histogram
 * (histogram.ts) with linear interpolation inside a bin, and never wider than the observed min/max.
 * - symmetric schemes: T = the percentile of |x|, range [max(min, -T), min(max, T)];
 * - asymmetric schemes: [quantile(1 - p), quantile(p)] of the signed values.
 */
import { type Range, type SchemeOptions, resolveScheme } from '../affine.ts';
import { Histogram } from './histogram.ts';
import { BaseObserver, type Observer } from './observer.ts';

export class PercentileObserver extends BaseObserver {
  readonly method = 'percentile';
  readonly hist: Histogram;

  /** @param percentile in (0, 100], e.g. 99.99 */
  constructor(readonly percentile = 99.99, bins = 2048) {
    super();
    if (!(percentile > 0 && percentile <= 100)) throw new Error(`percentile observer: percentile ${percentile} not in (0, 100]`);
    this.hist = new Histogram(bins);
  }

  observe(batch: ArrayLike<number>): void {
    this.hist.add(batch);
  }

  merge(other: Observer): void {
    const o = this.same(other);
    if (o.percentile !== this.percentile) throw new Error(`percentile observer: cannot merge ${this.percentile} and ${o.percentile}`);
    this.hist.merge(o.hist);
  }

  range(scheme: SchemeOptions = {}): Range {
    const h = this.hist;
    this.checkNotEmpty(h.count);
    const p = this.percentile / 100;
    if (resolveScheme(scheme).symmetric) {
      const t = absQuantile(h, p);
      return { min: Math.max(h.min, -t), max: Math.min(h.max, t) };
    }
    return { min: Math.max(h.min, signedQuantile(h, 1 - p)), max: Math.min(h.max, signedQuantile(h, p)) };
  }
}

/** Position of rank `r` inside a bin of count c that starts at `lo` and has width w (linear interpolation). */
function within(lo: number, w: number, r: number, c: number): number {
  return lo + (w * r) / c;
}

/** The q-quantile (0..1) of |x|. */
export function absQuantile(h: Histogram, q: number): number {
  const counts = h.absCounts();
  const rank = q * h.count;
  let cum = 0;
  for (let i = 0; i < h.bins; i++) {
    const c = counts[i];
    if (c > 0 && cum + c >= rank) return Math.min(h.amax, within(i * h.width, h.width, rank - cum, c));
    cum += c;
  }
  return h.amax;
}

/** The q-quantile (0..1) of the signed values: negative bins from the most negative, then positive ones. */
export function signedQuantile(h: Histogram, q: number): number {
  const rank = q * h.count;
  const w = h.width;
  let cum = 0;
  for (let i = h.bins - 1; i >= 0; i--) {
    const c = h.neg[i];
    if (c > 0 && cum + c >= rank) return within(-(i + 1) * w, w, rank - cum, c);
    cum += c;
  }
  for (let i = 0; i < h.bins; i++) {
    const c = h.pos[i];
    if (c > 0 && cum + c >= rank) return within(i * w, w, rank - cum, c);
    cum += c;
  }
  return h.max;
}
