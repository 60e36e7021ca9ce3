/**
 * The one op table (runtime/ops/registry.ts) is sound: no op has a lowering without a shape rule (it would be
 * unreachable: `unsupportedOps` rejects it first) or a shape rule without a lowering or the pass that removes it,
 * by type and by `registryProblems`; and every lowered op runs end to end on the GPU against onnxruntime-node on small random
 * inputs (fresh seed each run, printed on failure) with attribute and broadcasting variants (test/fixtures/op-cases.ts),
 * the ops that had no shape rule until issue 14 included. The few ops not run here say why (NOT_RUN).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../src/runtime/ir.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { type OpEntry, OPS, opEntry, registryProblems } from '../src/runtime/ops/registry.ts';
import { SUPPORTED_OPS } from '../src/runtime/shapes/infer.ts';
import { shapeOf } from '../src/runtime/shapes/generators.ts';
import { lowerView } from '../src/runtime/ops/reshape.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { NOT_RUN, type OpCase, opCases } from './fixtures/op-cases.ts';
import { singleOp } from './fixtures/single-op.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';

/** Ops the GPU lowers, walked from the one table. */
const LOWERED = Object.keys(OPS).filter((op) => OPS[op].lower);

// Half-registered ops do not type-check (`npx tsc -p .` reads this file):
// @ts-expect-error a lowering with no shape rule must say which fusion makes it
const noShape: OpEntry = { lower: lowerView };
// @ts-expect-error a shape rule with no lowering must say which pass removes it
const noLower: OpEntry = { shape: shapeOf };
// @ts-expect-error an op made by fusion has no shape rule
const fusedWithShape: OpEntry = { madeBy: 'x.ts', lower: lowerView, shape: shapeOf };

/** The ops that had a lowering but no shape rule until issue 14. */
const ONCE_UNREACHABLE = ['Abs', 'Ceil', 'Erf', 'Floor', 'Log', 'LogSoftmax', 'Max', 'Min', 'Neg', 'Reciprocal', 'Round'];

async function checkAgainstOrt(c: OpCase, r: Rng): Promise<void> {
  const feeds: Record<string, TensorData> = {};
  c.graph.inputs.forEach((v, i) => {
    const dims = v.shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[v.name] = { dtype: 'float32', dims, data: c.feed ? c.feed(n, r, i) : r.floats(n, -2, 2) };
  });
  const model = save(c.graph);
  const want = await ortRunModel(model, feeds);
  const session = await InferenceSession.create(model, { context: await testGpu() });
  try {
    const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { dims: v.dims, data: v.data as Float32Array }])));
    for (const o of c.graph.outputs) {
      const w = want[o.name];
      expect(got[o.name].dims, `${c.name}: ${o.name}`).toEqual(w.dims);
      const ref = Float32Array.from(w.data as ArrayLike<number>);
      if (c.exact) expect(Array.from(got[o.name].data), `${c.name}: ${o.name}`).toEqual(Array.from(ref));
      else expect(relError(got[o.name].data, ref), `${c.name}: ${o.name}`).toBeLessThanOrEqual(c.tol ?? 1e-5);
    }
  } finally {
    session.dispose();
  }
}

describe('op registry', () => {
  it('the table is sound: sorted, every op of exactly one kind', () => {
    expect(registryProblems(OPS)).toEqual([]);
    // The check catches what a cast past the types lets in.
    const bad = { B: noShape, A: noLower, C: fusedWithShape, D: { shape: shapeOf, lower: lowerView, removedBy: 'x.ts' } } as Record<string, OpEntry>;
    expect(registryProblems(bad)).toEqual([
      'ops are not sorted: B is out of place',
      'B: an ONNX op needs a shape rule (or, if fusion makes it, madeBy)',
      'A: needs exactly one of a lowering or removedBy',
      'C: a fused op is made after shape inference; it has no shape rule or fold',
      'D: needs exactly one of a lowering or removedBy',
    ]);
  });

  it('ops that live at one stage name an existing pass (removedBy) or fusion (madeBy)', () => {
    const at = (dir: string, file: string) => existsSync(new URL(`../src/runtime/${dir}/${file}`, import.meta.url));
    for (const [op, e] of Object.entries(OPS)) {
      if ('removedBy' in e) expect(at('passes', e.removedBy!), `${op} removedBy ${e.removedBy}`).toBe(true);
      if ('madeBy' in e) expect(at('fuse', e.madeBy), `${op} madeBy ${e.madeBy}`).toBe(true);
    }
    expect(Object.values(OPS).filter((e) => 'removedBy' in e).length).toBeGreaterThan(0);
  });

  it('every stage reads the same table: supported ONNX ops have a shape rule, fused ops only their own domain', () => {
    expect(SUPPORTED_OPS).toEqual(Object.keys(OPS).filter((op) => !('madeBy' in OPS[op])));
    for (const op of LOWERED) {
      const fused = 'madeBy' in OPS[op];
      expect(opEntry({ opType: op, domain: fused ? 'quantgpu' : '' }), op).toBe(OPS[op]);
      expect(opEntry({ opType: op, domain: fused ? '' : 'quantgpu' }), op).toBeUndefined();
    }
    expect(opEntry({ opType: 'toString', domain: '' })).toBeUndefined();
  });

  it('every op with a lowering has end-to-end cases, or a stated reason why not', () => {
    const run = new Set(opCases(testRng()).map((c) => c.graph.nodes[0].opType));
    const uncovered = LOWERED.filter((op) => !run.has(op) && !NOT_RUN[op]);
    expect(uncovered).toEqual([]);
    for (const op of ONCE_UNREACHABLE) expect(run.has(op), op).toBe(true);
    for (const op of Object.keys(NOT_RUN)) expect(OPS[op]?.lower, `NOT_RUN lists ${op}, which has no lowering`).toBeDefined();
  });

  it('every registered op runs end to end and matches onnxruntime-node', async () => {
    const r = testRng();
    for (const c of opCases(r)) await checkAgainstOrt(c, r);
  }, 300_000);

  it('refuses what the GPU lowering would get wrong, by node and op', async () => {
    const ctx = await testGpu();
    const three = singleOp('Max', [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3] }], {}, { outputRanks: [2] });
    await expect(InferenceSession.create(save(three), { context: ctx })).rejects.toThrow(/Max 'Max_0': Max with 3 inputs is not supported \(exactly 2\)/);
    const one = singleOp('Min', [{ shape: [4] }], {}, { outputRanks: [1] });
    await expect(InferenceSession.create(save(one), { context: ctx })).rejects.toThrow(/Min with 1 inputs is not supported/);
    const ints = singleOp('Abs', [{ shape: [4], dtype: 'int64' }], {}, { outputRanks: [1], outputDtypes: ['int64'] });
    await expect(InferenceSession.create(save(ints), { context: ctx })).rejects.toThrow(/Abs 'Abs_0': Abs of int64 is not supported \(float tensors only\)/);
  });
});
