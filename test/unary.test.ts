import { describe, expect, it } from 'vitest';
import { unaryKernel } from '../src/shaders/unary.ts';
import { type Activation, activateRef } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { relError, testRng } from './helpers/rng.ts';

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
      const out = await runKernel(device, spec, { input: x }, { output: n * 4 });
      const got = new Float32Array(out.output);
      const want = Float32Array.from(x, (v) => activateRef(v, act));
      expect(relError(got, want)).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('unary bindings', () => {
  it('match the WGSL (wgsl_reflect)', async () => {
    const { expectBindingsMatch } = await import('./helpers/reflect.ts');
    expectBindingsMatch(unaryKernel({ act: { kind: 'relu' } }, 10));
  });
});
