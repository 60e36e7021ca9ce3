/**
 * The ReLU after an int8 Add/Mul of a QDQ model is fused by a graph rewrite (runtime/fuse/qdq-add-relu.ts), not
 * looked up while lowering: after `prepareLoaded` the Add carries `fused.activation` and the Relu node is gone.
 * Same shapes: the int8 table kernel clamps at the zero point; a broadcast operand: the float binary kernel applies
 * the fused ReLU. Both against onnxruntime with graph optimizations disabled, code for code.
 * Random scales, zero points and inputs each run (seed printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { load } from '../src/runtime/onnx/load.ts';
import { prepareLoaded } from '../src/runtime/prepare.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { type ActQ, QdqBuilder } from './fixtures/qdq-builder.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { agreement, formatAgreement } from './helpers/qdq-agreement.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const i8 = (r: Rng): ActQ => ({ scale: Math.fround(r.uniform(0.01, 0.05)), zeroPoint: r.int(-20, 20), dtype: 'int8' });

/** DQ(Q(a)) op DQ(Q(b)) -> Relu -> Q/DQ; `bDims` may broadcast. */
function graph(r: Rng, op: 'Add' | 'Mul', bDims: number[]) {
  const b = new QdqBuilder('add_relu', r);
  const x = b.qdq(b.input('a', [1, 8, 5, 5]), i8(r));
  const y = b.qdq(b.input('b', bDims), i8(r));
  const out = b.output(b.qdq(b.op('Relu', [b.op(op, [x, y])]), i8(r)));
  const feeds = { a: { dims: [1, 8, 5, 5], data: r.floats(200, -2, 2) }, b: { dims: bDims, data: r.floats(bDims.reduce((p, d) => p * d, 1), -2, 2) } };
  return { bytes: b.save(), feeds, out, scale: b.outputScales[out] };
}

describe('QDQ Add/Mul -> Relu fusion (graph rewrite)', () => {
  for (const [op, bDims, kernel] of [['Add', [1, 8, 5, 5], 'int8'], ['Mul', [1, 8, 5, 5], 'int8'], ['Add', [1, 8, 1, 1], 'float']] as const) {
    it(`${op} with b ${bDims.join('x')}: Relu fused, ${kernel} kernel, equals onnxruntime`, async () => {
      const r = testRng();
      const g = graph(r, op, [...bDims]);
      const prepared = prepareLoaded(load(g.bytes));
      expect(prepared.nodes.filter((n) => n.opType === 'Relu').length, 'Relu nodes left').toBe(0);
      const node = prepared.nodes.find((n) => n.opType === op)!;
      expect(node.fused?.activation).toEqual({ kind: 'relu' });
      const session = await InferenceSession.create(g.bytes, { context: await testGpu() });
      try {
        const step = session.steps().find((s) => s.op === op)!;
        expect(step.precision === 'int8' ? 'int8' : 'float', `kernel of ${op}: ${step.kernel}`).toBe(kernel);
        const ours = (await session.run(g.feeds))[g.out].data;
        const ref = (await ortRun(g.bytes, g.feeds, { graphOptimizationLevel: 'disabled' }))[g.out].data;
        const a = agreement(g.out, ours, ref, g.scale);
        expect(a.maxLsb, formatAgreement(a)).toBe(0);
        // The ReLU did something: some reference codes sit at the output zero point.
        expect(Array.from(ref).filter((v) => v === 0).length).toBeGreaterThan(0);
      } finally {
        session.dispose();
      }
    });
  }
});
