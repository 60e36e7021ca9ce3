/**
 * The LUT activation setup of the integer conv cases (Node tests and the Chromium suite). A randomly drawn
 * LUT output scale can map a flat stretch of the activation (sigmoid near 0.5, hardswish near 0) onto a
 * handful of int8 levels: the reference then has too few distinct values to see an error. Here the output scale
 * is fitted to the activation's range over the int8 input domain, so every case spreads over ~150-250 levels.
 */
import { type Activation, activateRef } from '../../src/shaders/activation.ts';
import { activationLut } from '../../src/shaders/pack-int.ts';
import type { Rng } from '../helpers/random.ts';

/** activationLut(act, sMid, zMid, sLut, zLut) with (sLut, zLut) spanning the activation's output range. */
export function fittedLut(act: Activation, sMid: number, zMid: number, r: Rng): Uint32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let q = -128; q <= 127; q++) {
    const y = activateRef(Math.fround((q - zMid) * sMid), act);
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  const sLut = Math.max(hi - lo, 1e-6) / r.uniform(150, 250);
  const zLut = Math.max(-128, Math.min(127, Math.round(-(lo + hi) / 2 / sLut) + r.int(-5, 5)));
  return activationLut(act, sMid, zMid, sLut, zLut);
}
