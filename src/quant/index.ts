/** quantgpu's quantization math: affine schemes, granularity, packing, calibration observers, fake quantization. */
export * from './affine.ts';
export * from './granularity.ts';
export * from './tensor.ts';
export * from './packing.ts';
export * from './fakequant.ts';
export * from './weights.ts';
export * from './fixedpoint.ts';
export * from './simulate.ts';
export * from './observers/observer.ts';
export * from './observers/histogram.ts';
export * from './observers/minmax.ts';
export * from './observers/ema.ts';
export * from './observers/percentile.ts';
export * from './observers/entropy.ts';
export * from './observers/mse.ts';
export * from './observers/factory.ts';
