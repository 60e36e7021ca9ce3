/**
 * The fused activations from their ONNX operator definitions (Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid,
 * HardSwish; SiLU = x * Sigmoid(x)), computed in f64 from the f32 input and rounded to f32 once, with the
 * attributes taken as f32 (ONNX float attributes). Written for the tests: it does not share code with
 * src/shaders/activation.ts, whose WGSL it checks (f32 kernels within a tolerance; the qact epilogue exactly,
 * except at rounding ties).
 */
import type { Activation } from '../../src/shaders/activation.ts';

const f32 = Math.fround;

/** act(x) for one f32 value; NaN stays NaN (every ONNX activation propagates it). */
export function activation(x: number, act: Activation = { kind: 'none' }): number {
  if (Number.isNaN(x)) return x;
  switch (act.kind) {
    case 'none': return x;
    // Relu: max(0, x).
    case 'relu': return x < 0 ? 0 : x;
    // Clip: min(max(x, min), max).
    case 'clip': return Math.min(Math.max(x, f32(act.min)), f32(act.max));
    // LeakyRelu: x if x >= 0 else alpha * x.
    case 'leakyrelu': return x >= 0 ? x : f32(f32(act.alpha) * x);
    // Sigmoid: 1 / (1 + e^-x).
    case 'sigmoid': return f32(1 / (1 + Math.exp(-x)));
    // SiLU (x * Sigmoid(x)), as PyTorch exports it: Mul(x, Sigmoid(x)).
    case 'silu': return f32(x / (1 + Math.exp(-x)));
    // HardSigmoid: max(0, min(1, alpha * x + beta)).
    case 'hardsigmoid': return Math.max(0, Math.min(1, f32(f32(act.alpha) * x + f32(act.beta))));
    // HardSwish: x * max(0, min(1, x / 6 + 1 / 2)).
    case 'hardswish': return f32(x * Math.max(0, Math.min(1, x / 6 + 0.5)));
  }
}

