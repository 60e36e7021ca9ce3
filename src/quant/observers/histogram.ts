/**
 * A bounded-memory histogram of a stream of values, whose merge is exact.
 *
 * Layout: two arrays of `bins` counts (2048 by default), one per sign, binned by magnitude:
 *     pos[i] counts x >= 0 with  i*w <=  x < (i+1)*w
 *     neg[i] counts x <  0 with  i*w <= -x < (i+1)*w
 * so pos[i] + neg[i] is the histogram of |x| that TensorRT's entropy calibrator uses (2048 bins from 0).
 *
 * Growing range without losing exactness: the bin width w is always a power of two, the smallest one with
 * max|x| < bins * w. When a batch exceeds the range, w doubles (as many times as needed) and adjacent pairs of
 * bins are summed. Because w is a power of two, x / w is exact in floating point, and
 * floor(floor(x / w) / 2) = floor(x / 2w), so the counts after a doubling are exactly those a histogram started
 * at the wider w would have. The final histogram therefore depends only on the multiset of values seen, not on
 * batch order or splitting: merging two histograms (bring both to the larger w, add) equals histogramming the
 * union. The price is resolution: max|x| falls in the upper half of the bins, so between bins/2 and bins of them
 * are in use (TensorRT/ORT re-bin to an exact [0, amax] range instead, which cannot merge exactly).
 */

export class Histogram {
  readonly pos: Float64Array;
  readonly neg: Float64Array;
  /** Bin width: 0 until a non-zero value has been seen, then a power of two. */
  width = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly bins = 2048) {
    if (!Number.isInteger(bins) || bins < 2 || bins % 2 !== 0) throw new Error(`Histogram: bins must be even, got ${bins}`);
    this.pos = new Float64Array(bins);
    this.neg = new Float64Array(bins);
  }

  /** Largest |x| seen (0 when empty). */
  get amax(): number {
    return this.count ? Math.max(-this.min, this.max) : 0;
  }

  /** Adds a batch. Non-finite values are an error: they cannot be binned and mean something upstream is broken. */
  add(batch: ArrayLike<number>): void {
    if (batch.length === 0) return;
    const r = batchRange(batch);
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
    this.count += batch.length;
    const amax = Math.max(-r.min, r.max);
    if (amax > 0) this.growTo(fittingWidth(amax, this.bins));
    const w = this.width;
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i];
      if (x >= 0) this.pos[w ? Math.floor(x / w) : 0]++;
      else this.neg[Math.floor(-x / w)]++;
    }
  }

  /** Adds another histogram's counts (same number of bins); `other` is left unchanged. */
  merge(other: Histogram): void {
    if (other.bins !== this.bins) throw new Error(`Histogram.merge: ${this.bins} vs ${other.bins} bins`);
    if (other.count === 0) return;
    this.growTo(other.width);
    const f = other.width ? this.width / other.width : 1;
    for (let i = 0; i < this.bins; i++) {
      this.pos[Math.floor(i / f)] += other.pos[i];
      this.neg[Math.floor(i / f)] += other.neg[i];
    }
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Counts of |x|: pos[i] + neg[i]. */
  absCounts(): Float64Array {
    return Float64Array.from(this.pos, (c, i) => c + this.neg[i]);
  }

  /** Number of |x| bins in use: index of the last non-empty one, plus one. */
  usedBins(): number {
    for (let i = this.bins - 1; i >= 0; i--) if (this.pos[i] || this.neg[i]) return i + 1;
    return 0;
  }

  /** Widens to `width` (a power of two >= the current width) by summing runs of adjacent bins. */
  private growTo(width: number): void {
    if (width <= this.width) return;
    if (this.width === 0) {
      this.width = width; // only zeros so far, all in pos[0] whatever the width
      return;
    }
    const f = width / this.width;
    for (const a of [this.pos, this.neg]) {
      for (let i = 0; i < this.bins; i++) {
        const c = a[i];
        a[i] = 0;
        a[Math.floor(i / f)] += c;
      }
    }
    this.width = width;
  }
}

/** Exact 2^k for integer k (repeated doubling / halving; no reliance on Math.pow accuracy). */
export function pow2(k: number): number {
  let w = 1;
  for (let i = 0; i < Math.abs(k); i++) w = k < 0 ? w / 2 : w * 2;
  return w;
}

/** Smallest power of two w with amax / w < bins. */
export function fittingWidth(amax: number, bins: number): number {
  let w = pow2(Math.ceil(Math.log2(amax / bins)));
  while (amax / w >= bins) w *= 2;
  while (amax / (w / 2) < bins) w /= 2;
  return w;
}

/** Min and max of a batch; throws on NaN or infinities. */
export function batchRange(batch: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < batch.length; i++) {
    const v = batch[i];
    if (!Number.isFinite(v)) throw new Error(`observer: non-finite value ${v} at index ${i} of the batch`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
