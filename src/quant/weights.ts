/**
 * Weight quantization parameters: weights are known in full, so ranges come from the values themselves, per
 * channel (OIHW conv weights: axis 0, the default), per group, or per tensor.
 * - 'minmax': each slot's [min, max].
 * - 'mse': each slot's range shrunk to minimize the exact sum of squared errors of fake quantization over its
 *   values (same candidate grid as the MSE observer, default down to 1/16 of the range).
 */
import { type SchemeOptions, dequantizeValue, quantizeValue, resolveScheme } from './affine.ts';
import { type Granularity, gatherSlots, slotRanges } from './granularity.ts';
import { type MseSearchOptions, searchClipRange } from './observers/mse.ts';
import { type TensorQParams, chooseTensorQParams } from './tensor.ts';

export type WeightMethod = 'minmax' | 'mse';

export interface WeightQuantOptions extends SchemeOptions {
  method?: WeightMethod;
  /** Default: per channel along axis 0. */
  granularity?: Granularity;
  search?: MseSearchOptions;
}

/** Per-slot parameters for weights `w` of shape `dims`. */
export function weightQParams(w: ArrayLike<number>, dims: readonly number[], opts: WeightQuantOptions = {}): TensorQParams {
  const granularity = opts.granularity ?? { kind: 'channel', axis: 0 };
  const scheme = resolveScheme(opts);
  const ranges = slotRanges(w, dims, granularity);
  const method = opts.method ?? 'minmax';
  if (method === 'mse') {
    const search = { octaves: 4, ...opts.search };
    gatherSlots(w, dims, granularity).forEach((values, s) => {
      const best = searchClipRange({ min: ranges.min[s], max: ranges.max[s] }, scheme, (p) => {
        let e = 0;
        for (let i = 0; i < values.length; i++) e += (values[i] - dequantizeValue(quantizeValue(values[i], p), p)) ** 2;
        return e;
      }, search);
      ranges.min[s] = best.min;
      ranges.max[s] = best.max;
    });
  } else if (method !== 'minmax') {
    throw new Error(`weightQParams: unknown method '${method as string}' (minmax or mse)`);
  }
  return chooseTensorQParams(ranges, dims, granularity, scheme);
}
