/**
 * Entropy (KL-divergence) calibration, the search TensorRT's entropy calibrator performs (Migacz, "8-bit
 * Inference with TensorRT", GTC 2017), on the 2048-bin histogram of |x| (histogram.ts):
 *
 *   for i in [nq, used]:                       nq = number of quantized levels, used = bins holding data
 *     P = counts[0..i-1], with the counts of every bin >= i (the clipped outliers) added to P[i-1]
 *     Q = counts[0..i-1] merged into nq levels (bin k -> level floor(k * nq / i)), each level's total then spread
 *         evenly over the bins of that level that are non-empty (empty bins stay empty)
 *     KL(P || Q) = sum_k p_k ln(p_k / q_k) with P and Q normalized; infinite when some p_k > 0 has q_k = 0
 *   threshold = i* * binWidth for the first i* of minimum KL (the upper edge of the last kept bin)
 *
 * nq is 2^(bits-1) (128 for int8: the levels on one side of zero), or 2^bits when all levels lie on one side
 * (unsigned, or asymmetric on data with no negative values). If nq >= used there is nothing to clip and the
 * threshold is max|x|.
 *
 * Bin 0 (|x| < one bin width) takes the count of bin 1 before the search, as pytorch-quantization does. Every
 * candidate rounds those values to 0 with an error below its step, so they should not steer the choice; left as
 * is, the spike a ReLU (exact zeros) or a SiLU (the near-zero outputs of very negative inputs) puts there makes
 * every candidate coarser than the smallest spread that mass over its merged first level, and the KL minimum was
 * always the smallest threshold (ResNet-20 activations clipped to 1/16 of their range, top-1 80.5 -> 40.5;
 * YOLOX-nano SiLU outputs clipped, W8A8 28.5 -> 20.8 mAP when only exact zeros were left out).
 * The range for the scheme is [max(min, -T), min(max, T)]: a symmetric search applied to both signs.
 */
import { type Range, type SchemeOptions, resolveScheme } from '../affine.ts';
import { Histogram } from './histogram.ts';
import { BaseObserver, type Observer } from './observer.ts';

export class EntropyObserver extends BaseObserver {
  readonly method = 'entropy';
  readonly hist: Histogram;

  constructor(bins = 2048) {
    super();
    this.hist = new Histogram(bins);
  }

  observe(batch: ArrayLike<number>): void {
    this.hist.add(batch);
  }

  merge(other: Observer): void {
    this.hist.merge(this.same(other).hist);
  }

  /** The clipping threshold T on |x| for the scheme (see the module comment). */
  threshold(scheme: SchemeOptions = {}): number {
    const h = this.hist;
    this.checkNotEmpty(h.count);
    const { bits, symmetric, signed } = resolveScheme(scheme);
    const oneSided = !signed || (!symmetric && h.min >= 0);
    const nq = 2 ** (oneSided ? bits : bits - 1);
    const used = h.usedBins();
    if (nq >= used) return h.amax;
    const counts = h.absCounts().subarray(0, used);
    counts[0] = counts[1];
    return Math.min(h.amax, klThresholdBins(counts, nq) * h.width);
  }

  range(scheme: SchemeOptions = {}): Range {
    const t = this.threshold(scheme);
    return { min: Math.max(this.hist.min, -t), max: Math.min(this.hist.max, t) };
  }
}

/**
 * The number of bins i in [nq, counts.length] to keep that minimizes KL(P || Q) (see the module comment).
 * Bins past the end of `counts` are taken as empty.
 *
 * O(n * nq) rather than the direct O(n^2): inside one merged level l, q_k is the same value q_l for every
 * non-empty bin, so with P normalized by `total` (the sum of P is always `total`: the outliers move into bin i-1)
 *   KL(i) = (1/total) [ sum_k pc_k ln pc_k  -  sum_l Pc_l ln q_l ]  -  ln total,      q_l = S_l / (nz_l * inRange)
 * where Pc_l is P's mass in level l (S_l, plus the outliers in the last level). sum_{k < i-1} c_k ln c_k, S_l and
 * nz_l come from prefix sums, level l being the bins [ceil(l i / nq), ceil((l+1) i / nq)). KL is infinite when the
 * outliers land in an empty bin i-1 (P > 0 where Q = 0); empty bins k < i-1 have P = 0 and add nothing.
 * Checked against the direct search (test/calib.test.ts).
 */
export function klThresholdBins(counts: ArrayLike<number>, nq: number): number {
  const n = counts.length;
  if (nq < 1 || nq > n) throw new Error(`klThresholdBins: ${nq} levels for ${n} bins`);
  const cum = new Float64Array(n + 1); // cum[k] = counts[0..k-1]
  const nzCum = new Float64Array(n + 1); // non-empty bins among 0..k-1
  const clnc = new Float64Array(n + 1); // sum of c ln c over 0..k-1
  for (let k = 0; k < n; k++) {
    const c = counts[k];
    cum[k + 1] = cum[k] + c;
    nzCum[k + 1] = nzCum[k] + (c > 0 ? 1 : 0);
    clnc[k + 1] = clnc[k] + (c > 0 ? c * Math.log(c) : 0);
  }
  const total = cum[n];
  const lnTotal = Math.log(total);
  let best = n;
  let bestKl = Infinity;
  for (let i = nq; i <= n; i++) {
    const outliers = total - cum[i];
    const last = counts[i - 1];
    if (last === 0 && outliers > 0) continue; // infinite
    const inRange = cum[i];
    const pLast = last + outliers;
    let sum = clnc[i - 1] + (pLast > 0 ? pLast * Math.log(pLast) : 0);
    let start = 0;
    for (let l = 0; l < nq; l++) {
      const stop = Math.ceil(((l + 1) * i) / nq);
      const s = cum[stop] - cum[start];
      if (s > 0) {
        const pc = l === nq - 1 ? s + outliers : s;
        sum -= pc * Math.log(s / ((nzCum[stop] - nzCum[start]) * inRange));
      }
      start = stop;
    }
    const kl = sum / total - lnTotal;
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}
