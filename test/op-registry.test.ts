/**
 * The op tables agree: every op with a GPU lowering has a shape rule (else `unsupportedOps` rejects it before it can
 * be lowered), and the ops that had a lowering but no shape rule until issue 14 run end to end on the GPU against
 * onnxruntime-node (CPU) on small random inputs (fresh seed each run, printed on failure), with their attribute and
 * broadcasting variants.
 */
import { describe, expect, it } from 'vitest';
import type { Graph, TensorData } from '../src/runtime/ir.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { LOWERINGS } from '../src/runtime/ops/registry.ts';
import { SHAPE_RULES } from '../src/runtime/shapes/registry.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { type OpInput, int, singleOp } from './fixtures/single-op.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';

/** Ops of our own domain, made by fusion after shape inference: they never meet a shape rule. */
const INTERNAL_OPS = new Set(['SiLU']);

/** A random shape of rank 1-4 with small dims (4-D: NCHW, the layout convs produce). */
const shapeOf = (r: Rng, rank = r.int(1, 4)): number[] => Array.from({ length: rank }, () => r.int(1, 6));

/** A shape `b` that broadcasts against `a`: a suffix of it, with some dims set to 1. */
function broadcastable(r: Rng, a: number[]): number[] {
  return a.slice(r.int(0, a.length - 1)).map((d) => (r.int(0, 2) === 0 ? 1 : d));
}

interface Case {
  name: string;
  graph: Graph;
  /** Feed values for input i of `n` elements. */
  feed: (n: number, r: Rng) => Float32Array;
  /** Results must be bit-equal to onnxruntime's (integer-valued results). */
  exact?: boolean;
  /** Largest accepted max |error| / max |reference|. */
  tol?: number;
}

const uniform = (lo: number, hi: number) => (n: number, r: Rng) => r.floats(n, lo, hi);
/** Halves (k + 0.5) mixed with random values: Round must go half to even, Floor/Ceil must not round. */
const halves = (n: number, r: Rng) => Float32Array.from({ length: n }, () => (r.int(0, 1) ? r.int(-6, 6) + 0.5 : r.uniform(-6, 6)));

function unaryCase(op: string, r: Rng, feed: Case['feed'], extra: Partial<Case> = {}): Case {
  const s = shapeOf(r);
  return { name: `${op} [${s}]`, graph: singleOp(op, [{ shape: s }], {}, { outputRanks: [s.length] }), feed, ...extra };
}

function minMaxCase(op: string, r: Rng, constB: boolean): Case {
  const a = shapeOf(r);
  const b = broadcastable(r, a);
  const bIn: OpInput = constB ? { shape: b, values: Array.from(r.floats(b.reduce((x, y) => x * y, 1), -2, 2)) } : { shape: b };
  const [x, y] = r.int(0, 1) ? [{ shape: a }, bIn] : [bIn, { shape: a }];
  return {
    name: `${op} [${a}] with ${constB ? 'constant ' : ''}[${b}]`,
    graph: singleOp(op, [x, y], {}, { outputRanks: [a.length] }),
    feed: uniform(-2, 2),
    exact: true, // max/min pick one operand: no arithmetic
  };
}

function logSoftmaxCase(r: Rng, opset: number): Case {
  const s = shapeOf(r, r.int(2, 4));
  const axis = r.int(-s.length, s.length - 1);
  return {
    name: `LogSoftmax opset ${opset} axis ${axis} [${s}]`,
    graph: singleOp('LogSoftmax', [{ shape: s }], { axis: int(axis) }, { opset, outputRanks: [s.length] }),
    feed: uniform(-4, 4),
    tol: 1e-5,
  };
}

/** The cases of the ops that gained their shape rule in issue 14. */
function newOpCases(r: Rng): Case[] {
  return [
    unaryCase('Abs', r, uniform(-5, 5), { exact: true }),
    unaryCase('Neg', r, uniform(-5, 5), { exact: true }),
    unaryCase('Floor', r, halves, { exact: true }),
    unaryCase('Ceil', r, halves, { exact: true }),
    unaryCase('Round', r, halves, { exact: true }),
    unaryCase('Reciprocal', r, uniform(0.2, 5), { tol: 1e-6 }),
    unaryCase('Log', r, uniform(0.05, 10), { tol: 1e-6 }),
    unaryCase('Erf', r, uniform(-3, 3), { tol: 1e-6 }),
    minMaxCase('Max', r, false), minMaxCase('Max', r, true),
    minMaxCase('Min', r, false), minMaxCase('Min', r, true),
    logSoftmaxCase(r, 17), logSoftmaxCase(r, 11),
  ];
}

async function checkAgainstOrt(c: Case, r: Rng): Promise<void> {
  const feeds: Record<string, TensorData> = {};
  for (const v of c.graph.inputs) {
    const dims = v.shape as number[];
    feeds[v.name] = { dtype: 'float32', dims, data: c.feed(dims.reduce((a, b) => a * b, 1), r) };
  }
  const model = save(c.graph);
  const want = await ortRunModel(model, feeds);
  const session = await InferenceSession.create(model, { context: await testGpu() });
  try {
    const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { dims: v.dims, data: v.data as Float32Array }])));
    const w = want.y0;
    expect(got.y0.dims, c.name).toEqual(w.dims);
    const ref = Float32Array.from(w.data as ArrayLike<number>);
    if (c.exact) expect(Array.from(got.y0.data), c.name).toEqual(Array.from(ref));
    else expect(relError(got.y0.data, ref), c.name).toBeLessThanOrEqual(c.tol ?? 1e-6);
  } finally {
    session.dispose();
  }
}

describe('op registry', () => {
  it('every op with a lowering has a shape rule (so it is reachable)', () => {
    const missing = Object.keys(LOWERINGS).filter((op) => !INTERNAL_OPS.has(op) && !SHAPE_RULES[op]);
    expect(missing).toEqual([]);
  });

  it('covers every op the issue named as unreachable', () => {
    const r = testRng();
    const ops = new Set(newOpCases(r).map((c) => c.graph.nodes[0].opType));
    expect([...ops].sort()).toEqual(['Abs', 'Ceil', 'Erf', 'Floor', 'Log', 'LogSoftmax', 'Max', 'Min', 'Neg', 'Reciprocal', 'Round']);
  });

  it('ops once unreachable run end to end and match onnxruntime-node', async () => {
    const r = testRng();
    for (const c of newOpCases(r)) await checkAgainstOrt(c, r);
  }, 120_000);

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
