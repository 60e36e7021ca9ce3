/**
 * The int8 residual add is fused by a graph rewrite (runtime/fuse/qdq-residual.ts), not matched while lowering:
 * after `prepareLoaded` the conv carries `fused.qdqResidual` and the Q/DQ/Add/Relu it took over are gone, only where
 * the integer plan can use it (clamp activation, int8 skip computed before the conv, a per-tensor Q after the
 * chain). The results of the fused plan are checked bit-exact against onnxruntime in test/qdq-conformance.test.ts
 * (patterns 'inner Q/DQ saturates...' and 'quantize_static ResNet...'); here: the rewrite's structure and the plan.
 * Random weights and scales each run (seed printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_PROFILES } from '../src/gpu/profiles.ts';
import type { Graph, Node } from '../src/runtime/ir.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { planModel } from '../src/runtime/plan/build.ts';
import { prepareLoaded } from '../src/runtime/prepare.ts';
import { type ActQ, QdqBuilder } from './fixtures/qdq-builder.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const i8 = (r: Rng): ActQ => ({ scale: Math.fround(r.uniform(0.01, 0.05)), zeroPoint: r.int(-5, 5), dtype: 'int8' });

/** x -> Q/DQ -> conv [-> act] -> Q/DQ -> Add(., skip) -> Relu -> Q/DQ; `skipAfter`: the skip is made after the conv. */
function block(r: Rng, o: { act?: string; skipAfter?: boolean } = {}): { bytes: Uint8Array; skip: () => string } {
  const b = new QdqBuilder('block', r);
  const x = b.qdq(b.input('x', [1, 8, 6, 6]), i8(r));
  let skip = o.skipAfter ? '' : b.qdq(b.op('Relu', [x]), i8(r));
  const c = b.conv(x, 8, 8, 3);
  const y = b.qdq(o.act ? b.op(o.act, [c]) : c, i8(r));
  if (o.skipAfter) skip = b.qdq(b.op('Relu', [x]), i8(r));
  b.output(b.qdq(b.op('Relu', [b.op('Add', [y, skip])]), i8(r)));
  return { bytes: b.save(), skip: () => skip };
}

const convOf = (g: Graph): Node => g.nodes.find((n) => n.opType === 'Conv')!;
const count = (g: Graph, op: string) => g.nodes.filter((n) => n.opType === op).length;

describe('QDQ residual fusion (graph rewrite)', () => {
  it('folds Q -> DQ -> Add -> Relu into the integer conv, in the conv\'s place', () => {
    const r = testRng();
    for (const act of [undefined, 'Relu']) {
      const { bytes, skip } = block(r, { act });
      const g = prepareLoaded(load(bytes));
      const conv = convOf(g);
      const fused = conv.fused?.qdqResidual;
      expect(fused?.skip, `act ${act}`).toBe(skip());
      expect(conv.inputs[3]).toBe(skip());
      expect(fused!.post).toEqual([{ kind: 'relu' }]);
      expect(fused!.quantize.opType).toBe('QuantizeLinear');
      // The names: the conv (and its own fused ReLU), then Q1, DQ1, Add, Relu, in graph order.
      expect(conv.fused!.names.length).toBe(act ? 6 : 5);
      expect(count(g, 'Add')).toBe(0);
      const left = new Set(g.nodes.map((n) => n.name));
      expect(conv.fused!.names.filter((n) => n !== conv.name && left.has(n))).toEqual([]);
      // Q2 stays a node and reads the fused conv's output.
      const q2 = g.nodes.find((n) => n.inputs[0] === conv.outputs[0])!;
      expect(q2).toBe(fused!.output);
      // The skip's DequantizeLinear comes before the conv: the plan's step order does not move.
      const skipDq = g.nodes.findIndex((n) => n.outputs.includes(skip()));
      expect(skipDq).toBeLessThan(g.nodes.indexOf(conv));
    }
  });

  it('the plan runs the fused conv as one step reading the skip (no device)', () => {
    const { bytes } = block(testRng());
    const steps = planModel(bytes, DEVICE_PROFILES.swiftshader).steps;
    const conv = steps.filter((s) => s.op === 'Conv');
    expect(conv.length).toBe(1);
    expect(conv[0].node).toMatch(/\+n_Add_\d+\+n_Relu_\d+$/);
    expect(Object.keys(conv[0].values)).toContain('residual');
    expect(steps.some((s) => s.op === 'Add')).toBe(false);
  });

  it('leaves the chain alone where the integer plan could not take it', () => {
    const r = testRng();
    // The skip is computed after the conv in node order: the lowering would not have it yet.
    expect(convOf(prepareLoaded(load(block(r, { skipAfter: true }).bytes))).fused?.qdqResidual).toBeUndefined();
    // A non-clamp activation (Sigmoid) runs as a float epilogue then QuantizeLinear: no table can follow it.
    const sig = prepareLoaded(load(block(r, { act: 'Sigmoid' }).bytes));
    expect(convOf(sig).fused?.activation?.kind).toBe('sigmoid');
    expect(convOf(sig).fused?.qdqResidual).toBeUndefined();
    expect(count(sig, 'Add')).toBe(1);
  });

  it('noFusion keeps the float graph unfused but still fuses the int8 residual (as the lowering did)', () => {
    const g = prepareLoaded(load(block(testRng(), { act: 'Relu' }).bytes), { noFusion: true });
    expect(convOf(g).fused).toBeUndefined(); // conv -> Relu -> Q: the ReLU is not fused, so no match
    const h = prepareLoaded(load(block(testRng()).bytes), { noFusion: true });
    expect(convOf(h).fused?.qdqResidual).toBeDefined();
    expect(convOf(h).fused?.activation).toBeUndefined();
  });
});
