import { describe, expect, it } from 'vitest';
import { type UnaryOp, unaryKernel } from '../src/shaders/unary.ts';
import { unaryOpRef } from './reference/ops.ts';
import { type Activation, activateRef } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

const acts: Activation[] = [
  { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'silu' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' },
];

describe('unary activation kernel', () => {
  for (const act of acts) {
    it(`${act.kind} matches the CPU reference`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const n = rng.int(1, 3000);
      const x = rng.floats(n, -8, 8);
      const spec = unaryKernel({ act }, n);
      expectBindingsMatch(spec);
      const out = await runKernel(device, spec, { input: x }, { output: n * 4 });
      const got = new Float32Array(out.output);
      const want = Float32Array.from(x, (v) => activateRef(v, act));
      expect(relError(got, want)).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('unary bindings', () => {
  it('match the WGSL (wgsl_reflect)', async () => {
    expectBindingsMatch(unaryKernel({ act: { kind: 'relu' } }, 10));
  });
});

describe('unary ops (op then activation)', () => {
  // [op, input range]: domains chosen where the op is defined and well conditioned
  const cases: [UnaryOp, number, number][] = [
    [{ kind: 'exp' }, -5, 5], [{ kind: 'log' }, 0.05, 10], [{ kind: 'sqrt' }, 0, 10], [{ kind: 'rsqrt' }, 0.1, 10],
    [{ kind: 'tanh' }, -5, 5], [{ kind: 'neg' }, -5, 5], [{ kind: 'abs' }, -5, 5], [{ kind: 'reciprocal' }, 0.2, 5],
    [{ kind: 'floor' }, -5, 5], [{ kind: 'ceil' }, -5, 5], [{ kind: 'round' }, -5, 5], [{ kind: 'erf' }, -5, 5],
    [{ kind: 'pow', exponent: 3 }, -3, 3], [{ kind: 'pow', exponent: -2 }, 0.5, 3], [{ kind: 'pow', exponent: 0.5 }, 0, 4],
    [{ kind: 'affine', scale: -1.5, bias: 0.25 }, -5, 5],
  ];
  for (const [op, lo, hi] of cases) {
    it(`${JSON.stringify(op)} matches the reference`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const n = rng.int(1, 2000);
      const x = rng.floats(n, lo, hi);
      if (op.kind === 'round') for (let i = 0; i < n; i += 4) x[i] = rng.int(-5, 4) + 0.5; // ties go to even
      const act: Activation = rng.next() < 0.5 ? { kind: 'none' } : { kind: 'relu' };
      const spec = unaryKernel({ op, act }, n);
      expectBindingsMatch(spec);
      const out = await runKernel(device, spec, { input: x }, { output: n * 4 });
      const want = Float64Array.from(x, (v) => activateRef(unaryOpRef(v, op), act));
      expect(relError(new Float32Array(out.output), want)).toBeLessThanOrEqual(1e-4);
    });
  }
});
