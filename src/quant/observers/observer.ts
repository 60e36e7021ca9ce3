/**
 * Calibration observers: they watch a stream of activation batches in bounded memory and then propose a range
 * (for clipping methods, the clipped range) and quantization parameters for it.
 *
 * Every observer merges: observing two halves of a stream in two observers and merging them gives what one
 * observer of the whole stream gives (exactly for all but 'ema', whose merge is exact up to rounding; 'ema' is
 * order-dependent, and `a.merge(b)` means b's batches came after a's).
 */
import { type QParams, type Range, type SchemeOptions, chooseQParams, resolveScheme } from '../affine.ts';

export type ObserverMethod = 'minmax' | 'ema' | 'percentile' | 'entropy' | 'mse';

export interface Observer {
  readonly method: ObserverMethod;
  /** Takes one batch of activations (any shape, flattened). Throws on NaN or infinities. */
  observe(batch: ArrayLike<number>): void;
  /** Folds another observer of the same method and settings into this one; `other` is unchanged. */
  merge(other: Observer): void;
  /**
   * The range to quantize. Clipping methods (percentile, entropy, mse) return the clipped range; entropy and mse
   * depend on the target scheme, hence the argument (default: int8 symmetric). Throws when nothing was observed.
   */
  range(scheme?: SchemeOptions): Range;
  /** chooseQParams(range(scheme), scheme) with scheme = { bits, symmetric, ...opts }. */
  qparams(bits: number, symmetric: boolean, opts?: { signed?: boolean; narrow?: boolean }): QParams;
}

/** Shared plumbing: qparams from range, and checks for merge and empty observers. */
export abstract class BaseObserver implements Observer {
  abstract readonly method: ObserverMethod;
  abstract observe(batch: ArrayLike<number>): void;
  abstract merge(other: Observer): void;
  abstract range(scheme?: SchemeOptions): Range;

  qparams(bits: number, symmetric: boolean, opts: { signed?: boolean; narrow?: boolean } = {}): QParams {
    const scheme = resolveScheme({ ...opts, bits, symmetric });
    return chooseQParams(this.range(scheme), scheme);
  }

  /** Narrows `other` to this observer's class, or throws naming both methods. */
  protected same<T extends BaseObserver>(this: T, other: Observer): T {
    if (other.constructor !== this.constructor) {
      throw new Error(`${this.method} observer: cannot merge a ${other.method} observer`);
    }
    return other as T;
  }

  protected checkNotEmpty(count: number): void {
    if (count === 0) throw new Error(`${this.method} observer: range() before any value was observed`);
  }
}
