/**
 * Activations shared by every kernel that fuses one. Each kernel's WGSL declares `override ACT: u32` and
 * `override ALPHA: f32`/`BETA: f32` and includes the `activate()` function below (via `withActivation`).
 */
import { ortLogistic } from '../quant/ort-logistic.ts';

export type Activation =
  | { kind: 'none' }
  | { kind: 'relu' }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'leakyrelu'; alpha: number }
  /** `exact`: onnxruntime's bits on every GPU (integer fused multiply-adds, slow); else WGSL fma() and division. */
  | { kind: 'sigmoid'; exact?: boolean }
  | { kind: 'silu'; exact?: boolean }
  | { kind: 'hardsigmoid'; alpha: number; beta: number }
  | { kind: 'hardswish' };

export const ACT_CODE: Record<Activation['kind'], number> = {
  none: 0, relu: 1, clip: 2, leakyrelu: 3, sigmoid: 4, silu: 5, hardsigmoid: 6, hardswish: 7,
};

/** The override constants that select and parameterise `activate()`. */
export function activationConstants(act: Activation = { kind: 'none' }): Record<string, number> {
  const c = { ACT: ACT_CODE[act.kind], ACT_A: 0, ACT_B: 0 };
  if (act.kind === 'clip') {
    // Override constants must be finite: an infinite bound is left out (code 8: upper only, 9: lower only).
    if (Number.isNaN(act.min) || Number.isNaN(act.max)) throw new Error(`Clip bounds must not be NaN (min ${act.min}, max ${act.max})`);
    const lo = act.min !== -Infinity, hi = act.max !== Infinity;
    if (act.min === Infinity || act.max === -Infinity) throw new Error(`Clip with min = +inf or max = -inf is not supported (min ${act.min}, max ${act.max})`);
    if (lo && hi) Object.assign(c, { ACT_A: act.min, ACT_B: act.max });
    else if (hi) Object.assign(c, { ACT: 8, ACT_B: act.max });
    else if (lo) Object.assign(c, { ACT: 9, ACT_A: act.min });
    else c.ACT = ACT_CODE.none;
  }
  if (act.kind === 'leakyrelu') c.ACT_A = act.alpha;
  if ((act.kind === 'sigmoid' || act.kind === 'silu') && act.exact) c.ACT += 6; // 10, 11: ort_logistic
  if (act.kind === 'hardsigmoid') Object.assign(c, { ACT_A: act.alpha, ACT_B: act.beta });
  return c;
}

/** CPU reference of `activate()` in activation.wgsl (f32 math, rounded to f32); NaN in gives NaN out. */
export function activateRef(x: number, act: Activation = { kind: 'none' }): number {
  const f = Math.fround;
  if (Number.isNaN(x)) return x;
  switch (act.kind) {
    case 'none': return x;
    case 'relu': return Math.max(x, 0);
    case 'clip': return Math.min(Math.max(x, f(act.min)), f(act.max));
    case 'leakyrelu': return x >= 0 ? x : f(x * f(act.alpha));
    case 'sigmoid': return ortLogistic(x);
    case 'silu': return f(x * ortLogistic(x)); // Sigmoid then Mul, as onnxruntime runs a SiLU
    case 'hardsigmoid': return Math.min(Math.max(f(f(act.alpha) * x + f(act.beta)), 0), 1);
    case 'hardswish': return f(x * Math.min(Math.max(x / 6 + 0.5, 0), 1));
  }
}
