/** MinMax: the range of everything observed. Exact merge: min of mins, max of maxes. */
import type { Range } from '../affine.ts';
import { batchRange } from './histogram.ts';
import { BaseObserver, type Observer } from './observer.ts';

export class MinMaxObserver extends BaseObserver {
  readonly method = 'minmax';
  private min = Infinity;
  private max = -Infinity;

  observe(batch: ArrayLike<number>): void {
    if (batch.length === 0) return;
    const r = batchRange(batch);
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
  }

  merge(other: Observer): void {
    const o = this.same(other);
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  range(): Range {
    this.checkNotEmpty(this.min <= this.max ? 1 : 0);
    return { min: this.min, max: this.max };
  }
}
