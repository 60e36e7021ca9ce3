/**
 * Unary kernel: every fused activation, and every elementwise op before one (none or ReLU, drawn per run).
 * Run by the Chromium suite and, as test/unary.test.ts, under Node. Reference: test/reference/ops.ts and
 * test/reference/activation.ts (ONNX definitions); f32 within FLOAT_TOL.
 */
import type { Activation } from '../../../src/shaders/activation.ts';
import { type UnaryOp, unaryKernel } from '../../../src/shaders/unary.ts';
import { activation } from '../../reference/activation.ts';
import { unaryOpRef } from '../../reference/ops.ts';
import { type Case, FLOAT_TOL, floatOutcome, runSpec } from '../suite.ts';

const ACTS: Activation[] = [
  { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'silu' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' },
];

/** [op, input range]: domains where the op is defined and well conditioned. */
const OPS: [UnaryOp, number, number][] = [
  [{ kind: 'exp' }, -5, 5], [{ kind: 'log' }, 0.05, 10], [{ kind: 'sqrt' }, 0, 10], [{ kind: 'rsqrt' }, 0.1, 10],
  [{ kind: 'tanh' }, -5, 5], [{ kind: 'neg' }, -5, 5], [{ kind: 'abs' }, -5, 5], [{ kind: 'reciprocal' }, 0.2, 5],
  [{ kind: 'floor' }, -5, 5], [{ kind: 'ceil' }, -5, 5], [{ kind: 'round' }, -5, 5], [{ kind: 'erf' }, -5, 5],
  [{ kind: 'pow', exponent: 3 }, -3, 3], [{ kind: 'pow', exponent: -2 }, 0.5, 3], [{ kind: 'pow', exponent: 0.5 }, 0, 4],
  [{ kind: 'affine', scale: -1.5, bias: 0.25 }, -5, 5],
];

export const cases: Case[] = [
  ...ACTS.map((act): Case => ({
    name: `unary_f32 ${act.kind}`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const n = r.int(1, 3000);
      const x = r.floats(n, -8, 8);
      const out = await runSpec(device, unaryKernel({ act }, n), { input: x }, { output: n * 4 });
      return floatOutcome(new Float32Array(out.output), Float32Array.from(x, (v) => activation(v, act)), `n=${n}`);
    },
  })),
  ...OPS.map(([op, lo, hi]): Case => ({
    name: `unary_f32 op ${JSON.stringify(op)}`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const n = r.int(1, 2000);
      const x = r.floats(n, lo, hi);
      if (op.kind === 'round') for (let i = 0; i < n; i += 4) x[i] = r.int(-5, 4) + 0.5; // ties go to even
      const act: Activation = r.next() < 0.5 ? { kind: 'none' } : { kind: 'relu' };
      const out = await runSpec(device, unaryKernel({ op, act }, n), { input: x }, { output: n * 4 });
      const want = Float64Array.from(x, (v) => activation(unaryOpRef(v, op), act));
      return floatOutcome(new Float32Array(out.output), want, `n=${n} act ${act.kind}`);
    },
  })),
];
