/**
 * Simulate a quantization configuration on one tensor: choose parameters from the tensor itself, fake-quantize,
 * and report the error. The building block of per-layer sensitivity analysis.
 * Per-tensor configurations use a calibration observer fed the tensor as one batch; per-channel and per-group
 * ones use the weight methods (minmax or mse).
 */
import type { SchemeOptions } from './affine.ts';
import { fakeQuantize, sqnr } from './fakequant.ts';
import type { Granularity } from './granularity.ts';
import { createObserver, type ObserverOptions } from './observers/factory.ts';
import type { ObserverMethod } from './observers/observer.ts';
import type { AnyQParams } from './tensor.ts';
import { weightQParams } from './weights.ts';

export interface QuantConfig extends SchemeOptions {
  /** Default per tensor. */
  granularity?: Granularity;
  /** Default 'minmax'. Per channel / group: 'minmax' or 'mse' only. */
  method?: ObserverMethod;
  observer?: ObserverOptions;
}

export interface Simulated {
  params: AnyQParams;
  output: Float32Array;
  /** SQNR of output against x, in dB. */
  sqnrDb: number;
}

/** Parameters for x under `config`. */
export function paramsFor(x: ArrayLike<number>, dims: readonly number[], config: QuantConfig = {}): AnyQParams {
  const method = config.method ?? 'minmax';
  const g = config.granularity ?? { kind: 'tensor' };
  if (g.kind !== 'tensor') {
    if (method !== 'minmax' && method !== 'mse') {
      throw new Error(`paramsFor: method '${method}' is per-tensor only; per ${g.kind} supports minmax and mse`);
    }
    return weightQParams(x, dims, { ...config, method, granularity: g, search: config.observer?.search });
  }
  const obs = createObserver(method, config.observer);
  obs.observe(x);
  return obs.qparams(config.bits ?? 8, config.symmetric ?? true, config);
}

/** Fake-quantizes x under `config` with parameters chosen from x. */
export function simulate(x: ArrayLike<number>, dims: readonly number[], config: QuantConfig = {}): Simulated {
  const params = paramsFor(x, dims, config);
  const output = fakeQuantize(x, params);
  return { params, output, sqnrDb: sqnr(x, output) };
}
