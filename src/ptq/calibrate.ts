/**
 * The calibration driver: runs the float model over calibration batches (through an ActivationSource: the GPU
 * runtime by default) and streams every watched activation into observers from src/quant, one set of observers
 * per calibration method, so one pass over the data serves minmax, percentile, entropy and mse at once.
 * It also accumulates per-channel means (axis 1) of the tensors bias correction needs.
 */
import { chooseQParams, createObserver, Histogram, type Observer, type ObserverMethod, type ObserverOptions } from '../quant/index.ts';
import type { ActivationSource, Tensors } from './source.ts';

/** Calibration data: `count` batches of model feeds, produced on demand (images are decoded lazily). */
export interface CalibrationSet {
  count: number;
  batch(index: number): Promise<Tensors>;
}

/** An in-memory calibration set. */
export function calibrationSet(batches: Tensors[]): CalibrationSet {
  return { count: batches.length, batch: async (i) => batches[i] };
}

export interface CalibrateOptions {
  methods: ObserverMethod[];
  observer?: ObserverOptions;
  /** Tensors whose per-channel (axis 1) means to accumulate. */
  means?: string[];
  onProgress?: (done: number, total: number) => void;
}

export interface CalibrationStats {
  /** method -> tensor -> observer. */
  observers: Map<ObserverMethod, Map<string, Observer>>;
  /** tensor -> mean per channel (axis 1) over all other axes and all batches. */
  means: Map<string, Float64Array>;
  /** Dims of each watched tensor in the last batch. */
  dims: Map<string, number[]>;
  batches: number;
  /** activationParams results by method (the entropy and mse searches are not cheap). */
  paramsCache?: Map<ObserverMethod, Map<string, { scale: number; zeroPoint: number }>>;
}

type HistogramObserver = Observer & { hist: Histogram };
const hasHistogram = (o: Observer): o is HistogramObserver => (o as Partial<HistogramObserver>).hist instanceof Histogram;

/**
 * Per-channel sums over axis 1 of an [N, C, ...] tensor (a rank-1 or rank-0 tensor is one channel). Each channel's
 * values are added in index order (as `sums[floor(i / inner) % c] += d[i]` over all i would), one run of `inner`
 * values at a time: the same sums, bit for bit, without a division per element.
 */
export function channelSums(t: { dims: number[]; data: Float32Array }): { sums: Float64Array; count: number } {
  const c = t.dims.length >= 2 ? t.dims[1] : 1;
  const inner = t.dims.slice(2).reduce((a, b) => a * b, 1);
  const sums = new Float64Array(c);
  const d = t.data;
  for (let i = 0, ch = 0; i < d.length; ch = ch + 1 === c ? 0 : ch + 1) {
    let s = sums[ch];
    for (const end = Math.min(d.length, i + inner); i < end; i++) s += d[i];
    sums[ch] = s;
  }
  return { sums, count: d.length / c };
}

/** Runs the calibration pass. `names` are the activations to observe. */
export async function calibrate(source: ActivationSource, names: string[], data: CalibrationSet, opts: CalibrateOptions): Promise<CalibrationStats> {
  if (data.count === 0) throw new Error('calibrate: the calibration set is empty');
  const observers = new Map(opts.methods.map((m) => [m, new Map(names.map((n) => [n, createObserver(m, opts.observer)]))]));
  const meanNames = opts.means ?? [];
  const sums = new Map<string, { sums: Float64Array; count: number }>();
  const dims = new Map<string, number[]>();
  const fetch = [...new Set([...names, ...meanNames])];
  // Percentile, entropy and mse keep the same histogram of the same values: one of them per tensor bins the data,
  // the others get its counts at the end (Histogram.merge into an empty histogram is exact).
  const observed = new Map<string, Observer[]>();
  const copies = new Map<string, [HistogramObserver, HistogramObserver][]>();
  for (const n of names) {
    const own: Observer[] = [];
    const pairs: [HistogramObserver, HistogramObserver][] = [];
    const binner = new Map<number, HistogramObserver>();
    for (const perTensor of observers.values()) {
      const o = perTensor.get(n)!;
      const h = hasHistogram(o) ? o : undefined;
      const first = h && binner.get(h.hist.bins);
      if (h && first) pairs.push([h, first]);
      else {
        own.push(o);
        if (h) binner.set(h.hist.bins, h);
      }
    }
    observed.set(n, own);
    copies.set(n, pairs);
  }
  for (let b = 0; b < data.count; b++) {
    const out = await source.run(await data.batch(b), fetch);
    for (const n of fetch) {
      const t = out[n];
      if (!t) throw new Error(`calibrate: ${source.label} returned no tensor '${n}'`);
      dims.set(n, t.dims);
    }
    for (const n of names) {
      const data = out[n].data;
      for (const o of observed.get(n)!) o.observe(data);
    }
    for (const n of meanNames) {
      const s = channelSums(out[n]);
      const acc = sums.get(n);
      if (!acc) sums.set(n, s);
      else {
        s.sums.forEach((v, i) => (acc.sums[i] += v));
        acc.count += s.count;
      }
    }
    opts.onProgress?.(b + 1, data.count);
  }
  for (const n of names) for (const [o, from] of copies.get(n)!) o.hist.merge(from.hist);
  const means = new Map([...sums].map(([n, s]) => [n, s.sums.map((v) => v / s.count)]));
  return { observers, means, dims, batches: data.count };
}

/** Int8 activation parameters (asymmetric, full range [-128, 127]) from one observer's range. */
export function observerParams(o: Observer): { scale: number; zeroPoint: number } {
  const range = o.range({ bits: 8, symmetric: false, signed: true });
  const p = chooseQParams(range, { bits: 8, symmetric: false, signed: true, narrow: false });
  return { scale: p.scale, zeroPoint: p.zeroPoint };
}

/**
 * Int8 activation parameters (asymmetric, full range [-128, 127]) of every observed tensor, for one method.
 * `onTensor(done, total)` after each tensor's range search (not called when the result is cached).
 */
export function activationParams(stats: CalibrationStats, method: ObserverMethod, onTensor?: (done: number, total: number) => void): Map<string, { scale: number; zeroPoint: number }> {
  const cached = stats.paramsCache?.get(method);
  if (cached) return cached;
  const obs = stats.observers.get(method);
  if (!obs) throw new Error(`activationParams: method '${method}' was not calibrated (have ${[...stats.observers.keys()].join(', ')})`);
  const out = new Map<string, { scale: number; zeroPoint: number }>();
  for (const [n, o] of obs) {
    out.set(n, observerParams(o));
    onTensor?.(out.size, obs.size);
  }
  (stats.paramsCache ??= new Map()).set(method, out);
  return out;
}

