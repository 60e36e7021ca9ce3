/**
 * Sigmoid and SiLU bit for bit as onnxruntime computes them (issue 10: a QDQ model quantizes these values, so an
 * ulp decides a code near a rounding boundary). Two links, each on fresh random inputs (seed printed):
 * the independent reference (test/reference/logistic.ts) equals onnxruntime's Sigmoid and Sigmoid -> Mul; the GPU `activate()`
 * (activation.wgsl, used by every fused epilogue) is within 2^-20 of it (bit-exact where WGSL's fma() is fused;
 * SwiftShader's rounds twice).
 */
import { describe, expect, it } from 'vitest';
import { unaryKernel } from '../src/shaders/unary.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { save } from '../src/runtime/onnx/save.ts';
import type { Graph } from '../src/runtime/ir.ts';
import { logisticRef, siluRef } from './reference/logistic.ts';
import { ortRun } from './helpers/ort.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, testRng } from './helpers/rng.ts';

/** Inputs where the polynomial, the clamps and the tails all matter: wide, narrow near 0, and past +-18. */
function inputs(rng: Rng, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? rng.uniform(-25, 25) : i % 3 === 1 ? rng.uniform(-6, 6) : rng.uniform(-0.01, 0.01);
  return x;
}

/** The elements where `got` differs from `want` (bitwise), at most 3, for the failure message. */
function firstOff(x: Float32Array, got: ArrayLike<number>, want: ArrayLike<number>): { count: number; first: string[] } {
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    count++;
    if (first.length < 3) first.push(`x=${x[i]}: ${got[i]} vs ${want[i]}`);
  }
  return { count, first };
}

/** x -> Sigmoid -> s, and Mul(x, s) (SiLU as exported) in one model. */
function sigmoidMul(n: number): Graph {
  return {
    name: 'silu', opset: 13, initializers: new Map(), valueInfo: new Map(),
    inputs: [{ name: 'x', dtype: 'float32', shape: [n] }],
    outputs: [{ name: 's', dtype: 'float32', shape: [n] }, { name: 'y', dtype: 'float32', shape: [n] }],
    nodes: [
      { name: 'sig', opType: 'Sigmoid', domain: '', inputs: ['x'], outputs: ['s'], attrs: {} },
      { name: 'mul', opType: 'Mul', domain: '', inputs: ['x', 's'], outputs: ['y'], attrs: {} },
    ],
  };
}

describe('Sigmoid / SiLU as onnxruntime computes them', () => {
  it('the reference equals onnxruntime (Sigmoid and Sigmoid -> Mul)', async () => {
    const rng = testRng();
    const n = 30000;
    const x = inputs(rng, n);
    const r = await ortRun(save(sigmoidMul(n)), { x: { dims: [n], data: x } }, { graphOptimizationLevel: 'disabled' });
    const sig = Float32Array.from(x, logisticRef);
    const off = firstOff(x, sig, r.s.data);
    expect(off.count, `reference vs onnxruntime Sigmoid: ${off.first.join('; ')}`).toBe(0);
    const silu = firstOff(x, Float32Array.from(x, siluRef), r.y.data);
    expect(silu.count, `reference vs onnxruntime Sigmoid -> Mul: ${silu.first.join('; ')}`).toBe(0);
  });

  for (const act of [{ kind: 'sigmoid' }, { kind: 'silu' }] as Activation[]) {
    it(`activate() ${act.kind} on the GPU is within 2^-20 max(1, |x|) of the reference (WGSL fma() may round twice)`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const n = rng.int(3000, 6000);
      const x = inputs(rng, n);
      const spec = unaryKernel({ act }, n);
      expectBindingsMatch(spec);
      const out = new Float32Array((await runKernel(device, spec, { input: x }, { output: n * 4 })).output);
      const want = Float32Array.from(x, act.kind === 'silu' ? siluRef : logisticRef);
      const off = firstOff(x, out, want);
      console.log(`[qdq-sigmoid] ${act.kind} with WGSL fma(): ${off.count}/${n} values differ from onnxruntime's bits`);
      // ulps of p / q + 0.5 where fma() rounds twice (absolute, then times x for SiLU); 2^-20 catches a wrong formula
      for (let i = 0; i < n; i++) expect(Math.abs(out[i] - want[i]), `x=${x[i]}`).toBeLessThanOrEqual(2 ** -20 * Math.max(1, Math.abs(x[i])));
    });
  }
});
