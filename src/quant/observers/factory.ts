/** Observers by method name: the one place that maps a name to a class. */
import { EmaMinMaxObserver } from './ema.ts';
import { EntropyObserver } from './entropy.ts';
import { MinMaxObserver } from './minmax.ts';
import { type MseSearchOptions, MseObserver } from './mse.ts';
import type { Observer, ObserverMethod } from './observer.ts';
import { PercentileObserver } from './percentile.ts';

export interface ObserverOptions {
  /** Histogram bins per sign for percentile / entropy / mse (default 2048). */
  bins?: number;
  /** For 'percentile' (default 99.99). */
  percentile?: number;
  /** For 'ema': weight of the newest batch (default 0.01). */
  averagingConstant?: number;
  /** For 'mse'. */
  search?: MseSearchOptions;
}

export const OBSERVER_METHODS: readonly ObserverMethod[] = ['minmax', 'ema', 'percentile', 'entropy', 'mse'];

/** A fresh observer for `method`. */
export function createObserver(method: ObserverMethod, opts: ObserverOptions = {}): Observer {
  switch (method) {
    case 'minmax': return new MinMaxObserver();
    case 'ema': return new EmaMinMaxObserver(opts.averagingConstant);
    case 'percentile': return new PercentileObserver(opts.percentile, opts.bins);
    case 'entropy': return new EntropyObserver(opts.bins);
    case 'mse': return new MseObserver(opts.search, opts.bins);
    default: throw new Error(`createObserver: unknown method '${method as string}' (one of ${OBSERVER_METHODS.join(', ')})`);
  }
}
