/**
 * Moving-average MinMax (as PyTorch's MovingAverageMinMaxObserver / TensorFlow's EMA quantize ops): the first
 * batch sets the range, every later batch moves it: m <- (1 - c) m + c * batchMin (same for max).
 *
 * Merge. Unrolled, after batches b1..bn: m = (1-c)^(n-1) b1 + sum_{t>=2} c (1-c)^(n-t) bt. If A saw batches
 * 1..k and B saw k+1..n, the whole stream gives
 *     m = mB + (1 - c)^nB * (mA - firstB)
 * where firstB is B's first batch value, which is why it is kept. The merge is ordered (B after A) and exact up
 * to floating-point rounding.
 */
import type { Range } from '../affine.ts';
import { batchRange } from './histogram.ts';
import { BaseObserver, type Observer } from './observer.ts';

export class EmaMinMaxObserver extends BaseObserver {
  readonly method = 'ema';
  private batches = 0;
  private min = 0;
  private max = 0;
  private firstMin = 0;
  private firstMax = 0;

  /** @param c averaging constant, the weight of the newest batch (PyTorch's default 0.01). */
  constructor(readonly c = 0.01) {
    super();
    if (!(c > 0 && c <= 1)) throw new Error(`ema observer: averaging constant must be in (0, 1], got ${c}`);
  }

  observe(batch: ArrayLike<number>): void {
    if (batch.length === 0) return;
    const r = batchRange(batch);
    if (this.batches === 0) {
      this.min = this.firstMin = r.min;
      this.max = this.firstMax = r.max;
    } else {
      this.min = (1 - this.c) * this.min + this.c * r.min;
      this.max = (1 - this.c) * this.max + this.c * r.max;
    }
    this.batches++;
  }

  /** Folds in `other`, whose batches are taken to come after this one's. */
  merge(other: Observer): void {
    const o = this.same(other);
    if (o.c !== this.c) throw new Error(`ema observer: cannot merge averaging constants ${this.c} and ${o.c}`);
    if (o.batches === 0) return;
    if (this.batches === 0) {
      Object.assign(this, { batches: o.batches, min: o.min, max: o.max, firstMin: o.firstMin, firstMax: o.firstMax });
      return;
    }
    const d = (1 - this.c) ** o.batches;
    this.min = o.min + d * (this.min - o.firstMin);
    this.max = o.max + d * (this.max - o.firstMax);
    this.batches += o.batches;
  }

  range(): Range {
    this.checkNotEmpty(this.batches);
    return { min: this.min, max: this.max };
  }
}
