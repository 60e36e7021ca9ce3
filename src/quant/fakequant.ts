/**
 * Fake quantization (quantize, then dequantize, staying in f32) and the error measures used to judge it.
 * This is how a configuration is simulated and how per-layer sensitivity is measured without integer kernels.
 */
import { type QParams, dequantizeValue, quantizeValue } from './affine.ts';
import { type AnyQParams, isTensorQParams, slotParams } from './tensor.ts';
import { checkLength, slotIndexer } from './granularity.ts';

/** x' = dequantize(quantize(x)) element by element, bit-identical to dequantizeTensor(quantizeTensor(x)). */
export function fakeQuantize(x: ArrayLike<number>, p: AnyQParams): Float32Array {
  const out = new Float32Array(x.length);
  if (!isTensorQParams(p)) {
    for (let i = 0; i < x.length; i++) out[i] = dequantizeValue(quantizeValue(x[i], p), p);
    return out;
  }
  checkLength(x, p.dims);
  const per: QParams[] = Array.from(p.scale, (_, s) => slotParams(p, s));
  const slot = slotIndexer(p.dims, p.granularity);
  for (let i = 0; i < x.length; i++) {
    const q = per[slot(i)];
    out[i] = dequantizeValue(quantizeValue(x[i], q), q);
  }
  return out;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length mismatch ${a.length} vs ${b.length}`);
}

/** Mean of (a - b)^2, accumulated in f64. */
export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b, 'meanSquaredError');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return a.length ? s / a.length : 0;
}

/**
 * Signal-to-quantization-noise ratio in dB: 10 log10(sum ref^2 / sum (ref - test)^2).
 * Infinity when the two are identical; -Infinity when ref is all zeros and test is not.
 */
export function sqnr(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  checkSameLength(ref, test, 'sqnr');
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    signal += ref[i] * ref[i];
    noise += (ref[i] - test[i]) ** 2;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
