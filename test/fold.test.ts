import { describe, expect, it } from 'vitest';
import type { Graph, TensorData } from '../src/runtime/ir.ts';
import { fromNumbers } from '../src/runtime/cpu-ops/tensor.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { eliminateIdentity, foldBatchNorm, foldConstants, removeDeadNodes } from '../src/runtime/passes/index.ts';
import { cachedFixture } from './fixtures/cache.ts';
import { ASSET_MODELS, haveModels, readModel } from './fixtures/models.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { buildResNet18 } from './fixtures/resnet.ts';
import { int, ints, singleOp } from './fixtures/single-op.ts';
import { buildYoloV8n } from './fixtures/yolov8.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';

function image(g: Graph, rng: Rng): Record<string, TensorData> {
  const v = g.inputs[0];
  const shape = v.shape as number[];
  return { [v.name]: fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0, 1))) };
}

/** Runs `before` and `after` (model bytes) in onnxruntime on the same random input; returns max rel error. */
async function compare(before: Uint8Array, after: Uint8Array, rng: Rng): Promise<number> {
  const feeds = image(load(before), rng);
  const [a, b] = [await ortRunModel(before, feeds), await ortRunModel(after, feeds)];
  return Math.max(...Object.keys(a).map((k) => relError(b[k].data as Float32Array, a[k].data as Float32Array)));
}

/** Whether any Gather or Reshape-shape input is computed from a Shape node. */
function hasShapeChains(g: Graph): boolean {
  const fromShape = new Set<string>();
  for (const n of g.nodes) {
    if (n.opType === 'Shape' || n.inputs.some((i) => fromShape.has(i))) n.outputs.forEach((o) => fromShape.add(o));
  }
  return g.nodes.some((n) => n.opType === 'Shape') || fromShape.size > 0;
}

const ops = (g: Graph): string[] => g.nodes.map((n) => n.opType);

describe.skipIf(!haveModels)('constant folding on the detectors', () => {
  for (const m of ASSET_MODELS.filter((x) => /yolox|fastestdet/.test(x.file))) {
    it(`${m.file}: no Shape/Gather chains left, Reshape shapes are initializers, same outputs`, async () => {
      const bytes = readModel(m.file);
      const g = foldConstants(load(bytes));
      expect(hasShapeChains(g)).toBe(false);
      for (const n of g.nodes.filter((x) => x.opType === 'Reshape')) expect(g.initializers.has(n.inputs[1]), n.name).toBe(true);
      expect(await compare(bytes, save(g), testRng())).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe('constant folding', () => {
  it('collapses the YOLOv8 head Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains', async () => {
    const bytes = cachedFixture('yolov8n', buildYoloV8n, { resolution: 160 });
    const g = load(bytes);
    expect(hasShapeChains(g)).toBe(true);
    foldConstants(g);
    expect(hasShapeChains(g)).toBe(false);
    expect(ops(g)).not.toContain('Unsqueeze');
    for (const n of g.nodes.filter((x) => x.opType === 'Reshape')) expect(g.initializers.has(n.inputs[1]), n.name).toBe(true);
    expect(await compare(bytes, save(g), testRng())).toBeLessThanOrEqual(1e-6);
  });

  it('folds constant arithmetic and transposes like onnxruntime computes them', async () => {
    const rng = testRng();
    const [a, b] = [rng.int(1, 4), rng.int(1, 5)];
    const vals = (n: number) => Array.from({ length: n }, () => rng.uniform(0.1, 3)); // positive: Sqrt must not see NaN
    // y = Exp(float(int64(Pow(Transpose(Sqrt(Abs(c0 * c1)) + c2) / c3, 2)))): all constant.
    const g = singleOp('Mul', [{ shape: [a, b], values: vals(a * b) }, { shape: [b], values: vals(b) }], {}, { outputRanks: [2] });
    // Each op takes the previous value first, then the named constants.
    const chain: [string, string[], Record<string, ReturnType<typeof int>>?][] = [
      ['Abs', []], ['Sqrt', []], ['Add', ['c2']], ['Transpose', [], { perm: ints([1, 0]) }], ['Div', ['c3']], ['Pow', ['two']],
      ['Cast', [], { to: int(7) }], ['Cast', [], { to: int(1) }], ['Exp', []],
    ];
    g.initializers.set('c2', fromNumbers('float32', [a, 1], vals(a).map((v) => v - 2)));
    // c3 >= 1.5 keeps Exp's input below 8: exp of a larger square overflows f32 and inf - inf is NaN.
    g.initializers.set('c3', fromNumbers('float32', [], [rng.uniform(1.5, 3)]));
    g.initializers.set('two', fromNumbers('float32', [], [2]));
    let last = 'y0';
    chain.forEach(([op, consts, attrs], i) => {
      g.nodes.push({ name: `n${i}`, opType: op, domain: '', inputs: [last, ...consts], outputs: [`v${i}`], attrs: attrs ?? {} });
      last = `v${i}`;
    });
    g.nodes.push({ name: 'id', opType: 'Identity', domain: '', inputs: [last], outputs: ['out'], attrs: {} });
    g.outputs = [{ name: 'out', dtype: 'float32', shape: [b, a] }];
    // Abs has no CPU implementation: everything before it folds, everything after it stays.
    const folded = foldConstants(load(save(g)));
    expect(ops(folded)).toEqual(['Abs', 'Sqrt', 'Add', 'Transpose', 'Div', 'Pow', 'Cast', 'Cast', 'Exp', 'Identity']);
    g.nodes[1].opType = 'Identity';
    const want = await ortRunModel(save(g), {});
    const all = foldConstants(load(save(g)));
    expect(ops(all)).toEqual(['Identity']);
    const got = await ortRunModel(save(all), {});
    expect(relError(got.out.data as Float32Array, want.out.data as Float32Array)).toBeLessThanOrEqual(1e-6);
  });

  it('keeps DequantizeLinear of weights unless asked', () => {
    const rng = testRng();
    const n = rng.int(2, 9);
    const q = Array.from({ length: n }, () => rng.int(-128, 127));
    const g = singleOp('DequantizeLinear', [{ shape: [n], dtype: 'int8', values: q }, { shape: [], values: [0.25] }], {}, { outputRanks: [1] });
    g.nodes.push({ name: 'relu', opType: 'Relu', domain: '', inputs: ['y0'], outputs: ['z'], attrs: {} });
    g.outputs = [{ name: 'z', dtype: 'float32', shape: [n] }];
    expect(ops(foldConstants(load(save(g))))).toEqual(['DequantizeLinear', 'Relu']);
    const f = foldConstants(load(save(g)), { foldDequantize: true });
    expect(ops(f)).toEqual(['Relu']);
    expect([...f.initializers.get('y0')!.data]).toEqual(q.map((v) => v * 0.25));
  });
});

describe('BatchNormalization folding', () => {
  it('ResNet-18 fixture: BN folded into Conv keeps onnxruntime outputs within 1e-4', async () => {
    const bytes = cachedFixture('resnet18', buildResNet18, { resolution: 64, width: 0.5 });
    const g = load(bytes);
    const bns = ops(g).filter((o) => o === 'BatchNormalization').length;
    expect(bns).toBe(20);
    foldBatchNorm(g);
    expect(ops(g)).not.toContain('BatchNormalization');
    expect(ops(g).filter((o) => o === 'Conv').length).toBe(20);
    expect(await compare(bytes, save(g), testRng())).toBeLessThanOrEqual(1e-4);
  });

  it('a BN not after a Conv becomes Mul + Add', async () => {
    const rng = testRng();
    const c = rng.int(1, 6);
    const p = (lo: number, hi: number) => ({ shape: [c], values: Array.from({ length: c }, () => rng.uniform(lo, hi)) });
    const g = singleOp('Relu', [{ shape: [1, c, 3, 5] }], {}, { outputRanks: [4] });
    g.nodes.push({ name: 'bn', opType: 'BatchNormalization', domain: '', inputs: ['y0', 's', 'b', 'm', 'v'], outputs: ['z'], attrs: {} });
    for (const [k, [lo, hi]] of Object.entries({ s: [0.5, 2], b: [-1, 1], m: [-1, 1], v: [0.1, 2] })) {
      const t = p(lo, hi);
      g.initializers.set(k, fromNumbers('float32', t.shape, t.values));
    }
    g.outputs = [{ name: 'z', dtype: 'float32', shape: [1, c, 3, 5] }];
    const before = save(g);
    const after = foldBatchNorm(load(before));
    expect(ops(after)).toEqual(['Relu', 'Mul', 'Add']);
    expect(await compare(before, save(after), rng)).toBeLessThanOrEqual(1e-5);
  });
});

describe('Identity elimination and dead nodes', () => {
  it('rewires around Identity, keeps output names, drops unused nodes and initializers', async () => {
    const g = singleOp('Identity', [{ shape: [2, 3] }], {}, { outputRanks: [2] });
    g.nodes.push({ name: 'r', opType: 'Relu', domain: '', inputs: ['y0'], outputs: ['r'], attrs: {} });
    g.nodes.push({ name: 'idout', opType: 'Identity', domain: '', inputs: ['r'], outputs: ['out'], attrs: {} });
    g.nodes.push({ name: 'dead', opType: 'Sigmoid', domain: '', inputs: ['w'], outputs: ['unused'], attrs: {} });
    g.initializers.set('w', fromNumbers('float32', [1], [1]));
    g.outputs = [{ name: 'out', dtype: 'float32', shape: [2, 3] }];
    const before = save(g);
    const h = removeDeadNodes(eliminateIdentity(load(before)));
    expect(h.nodes.map((n) => [n.opType, n.inputs, n.outputs])).toEqual([['Relu', ['x0'], ['out']]]);
    expect(h.initializers.size).toBe(0);
    expect(await compare(before, save(h), testRng())).toBe(0);
  });
});

describe('CPU ops used for folding agree with onnxruntime', () => {
  const r = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(-9, 9));
  const i64 = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values });
  const cases: Record<string, (rng: Rng) => Graph> = {
    Gather: (rng) => singleOp('Gather', [{ shape: [3, 4, 2], values: r(rng, 24) }, { shape: [2, 2], dtype: 'int64', values: [rng.int(-4, 3), 0, 3, rng.int(-4, 3)] }], { axis: int(1) }),
    Slice: (rng) => singleOp('Slice', [{ shape: [5, 6], values: r(rng, 30) }, i64([rng.int(-6, 5), 1]), i64([2 ** 62, rng.int(-6, 6)]), i64([1, 0]), i64([-1, rng.int(1, 2)])]),
    Concat: (rng) => {
      const c = rng.int(1, 3);
      return singleOp('Concat', [{ shape: [2, c, 2], dtype: 'int64', values: r(rng, 4 * c) }, { shape: [2, 1, 2], dtype: 'int64', values: r(rng, 4) }], { axis: int(1) });
    },
    Expand: (rng) => singleOp('Expand', [{ shape: [3, 1], values: r(rng, 3) }, i64([2, 3, rng.int(1, 4)])]),
    Range: (rng) => singleOp('Range', [{ shape: [], dtype: 'int64', values: [rng.int(-5, 5)] }, { shape: [], dtype: 'int64', values: [rng.int(-5, 15)] }, { shape: [], dtype: 'int64', values: [rng.int(1, 3)] }]),
    ConstantOfShape: (rng) => singleOp('ConstantOfShape', [i64([2, rng.int(1, 3)])], { value: { type: 'tensor', value: fromNumbers('int64', [1], [7]) } }),
    Unsqueeze: (rng) => singleOp('Unsqueeze', [{ shape: [2, 3], values: r(rng, 6) }, i64([rng.int(-3, 2)])]),
    Squeeze: (rng) => singleOp('Squeeze', [{ shape: [2, 1, 3], values: r(rng, 6) }, i64([1])]),
    Transpose: (rng) => singleOp('Transpose', [{ shape: [2, 3, 4], values: r(rng, 24) }], { perm: ints([2, 0, 1]) }),
    Reshape: (rng) => singleOp('Reshape', [{ shape: [2, 3, 4], values: r(rng, 24) }, i64([0, -1])]),
    Div: (rng) => singleOp('Div', [{ shape: [4], dtype: 'int64', values: r(rng, 4) }, { shape: [1], dtype: 'int64', values: [rng.int(1, 4) * (rng.int(0, 1) ? 1 : -1)] }]),
  };
  for (const [op, make] of Object.entries(cases)) {
    it(op, async () => {
      const rng = testRng();
      const g = make(rng);
      const dtype = op === 'Range' || op === 'ConstantOfShape' || op === 'Div' || op === 'Concat' ? 'int64' : 'float32';
      g.nodes.push({ name: 'id', opType: 'Identity', domain: '', inputs: ['y0'], outputs: ['out'], attrs: {} });
      g.outputs = [{ name: 'out', dtype, shape: [] }];
      const want = await ortRunModel(save(g), {});
      const f = foldConstants(load(save(g)));
      expect(ops(f)).toEqual(['Identity']);
      const got = f.initializers.get('y0')!;
      expect(got.dims).toEqual(want.out.dims);
      expect([...got.data].map(Number)).toEqual(Array.from(want.out.data, Number));
    });
  }
});
