import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/runtime/ir.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { inferShapes, SUPPORTED_OPS, unsupportedOps } from '../src/runtime/shapes/infer.ts';
import { ASSET_MODELS, haveModels, readModel } from './fixtures/models.ts';
import { singleOp } from './fixtures/single-op.ts';
import { testRng } from './helpers/rng.ts';

const BRIEF_OPS = `Conv Gemm MatMul Relu Clip LeakyRelu Sigmoid HardSigmoid HardSwish Tanh Mul Add Sub Div Pow Sqrt Exp MaxPool
  AveragePool GlobalAveragePool ReduceMean Flatten Reshape Transpose Concat Split Slice Gather Resize Upsample Pad Softmax
  Shape Unsqueeze Squeeze Cast Constant ConstantOfShape Range Expand BatchNormalization Identity Dropout QuantizeLinear
  DequantizeLinear`.split(/\s+/).filter(Boolean);
/** Float math ops that have a GPU lowering (no CPU fold): reachable since issue 14. */
const GPU_MATH_OPS = ['Abs', 'Ceil', 'Erf', 'Floor', 'Log', 'LogSoftmax', 'Max', 'Min', 'Neg', 'Reciprocal', 'Round'];

describe.skipIf(!haveModels)('shape inference on the asset models', () => {
  for (const m of ASSET_MODELS) {
    it(`${m.file}: outputs as the README says, every value typed`, () => {
      const g = load(readModel(m.file));
      inferShapes(g, m.input as unknown as Record<string, number[]>);
      expect(Object.fromEntries(g.outputs.map((o) => [o.name, o.shape]))).toEqual(m.outputs);
      for (const n of g.nodes) for (const o of n.outputs) expect(g.valueInfo.get(o)?.shape, o).toBeDefined();
    });
  }

  it('sizes symbolic dims from inputShapes by dim name', () => {
    const g = load(readModel(ASSET_MODELS[0].file));
    const batch = testRng().int(2, 5);
    inferShapes(g, { N: batch });
    expect(g.outputs[0].shape).toEqual([batch, 10]);
    expect(g.inputs[0].shape).toEqual([batch, 3, 32, 32]);
  });
});

describe('shape inference', () => {
  it('supports exactly the listed ops, sorted', () => {
    expect([...SUPPORTED_OPS]).toEqual([...BRIEF_OPS, ...GPU_MATH_OPS].sort());
  });

  it('reports unsupported ops by node and op name', () => {
    const g = singleOp('Relu', [{ shape: [1, 4] }], {}, { outputRanks: [2] });
    g.nodes.push({ name: 'mystery', opType: 'NonMaxSuppression', domain: '', inputs: ['y0'], outputs: ['z'], attrs: {} });
    g.nodes.push({ name: 'ms', opType: 'FusedConv', domain: 'com.microsoft', inputs: ['z'], outputs: ['w'], attrs: {} });
    expect(unsupportedOps(g)).toEqual([{ node: 'mystery', op: 'NonMaxSuppression' }, { node: 'ms', op: 'com.microsoft.FusedConv' }]);
    expect(() => inferShapes(g)).toThrow(/NonMaxSuppression 'mystery': unsupported op/);
  });

  it('names the node, op and shapes when shapes do not fit', () => {
    const g = singleOp('Add', [{ shape: [2, 3] }, { shape: [4] }]);
    expect(() => inferShapes(g)).toThrow(ModelError);
    expect(() => inferShapes(g)).toThrow("Add 'Add_0': shapes [2,3] and [4] do not broadcast (input shapes: [2,3], [4])");
    const c = singleOp('Conv', [{ shape: [1, 3, 8, 8] }, { shape: [4, 2, 3, 3], values: Array(72).fill(0) }]);
    expect(() => inferShapes(c)).toThrow(/Conv 'Conv_0': X has 3 channels, W expects 2 x group 1/);
    const r = singleOp('Reshape', [{ shape: [2, 3] }, { shape: [1] }]);
    r.inputs.push({ name: 'x1', dtype: 'int64', shape: [1] });
    expect(() => inferShapes(r)).toThrow(/Reshape 'Reshape_0': its shape input 'x1' must be a constant/);
    // A required constant input that is not there at all (a fuzzed FastestDet lost Reshape_13's second input).
    const one = singleOp('Reshape', [{ shape: [2, 3] }]);
    expect(() => inferShapes(one)).toThrow(/Reshape 'Reshape_0': its shape input \(input 1\) is missing/);
    const slice = singleOp('Slice', [{ shape: [4, 4] }, { shape: [1], values: [0] }]);
    expect(() => inferShapes(slice)).toThrow(/Slice 'Slice_0': its ends input \(input 2\) is missing/);
  });

  it('infers Upsample (deprecated, onnxruntime no longer runs it) from its scales', () => {
    const rng = testRng();
    const [h, w] = [rng.int(1, 9), rng.int(1, 9)];
    const g = singleOp('Upsample', [{ shape: [1, 2, h, w] }, { shape: [4], values: [1, 1, 2, 3] }], {}, { opset: 11 });
    expect(inferShapes(g).outputs[0].shape).toEqual([1, 2, 2 * h, 3 * w]);
  });

  it('propagates shape values through an unfolded Shape -> Gather -> Concat -> Reshape chain', () => {
    const rng = testRng();
    const [c, h] = [rng.int(1, 5), rng.int(1, 5)];
    const g = singleOp('Shape', [{ shape: [1, c, h, 2] }], {}, { outputRanks: [1] });
    const add = (opType: string, inputs: string[], out: string, attrs = {}) =>
      g.nodes.push({ name: out, opType, domain: '', inputs, outputs: [out], attrs });
    g.initializers.set('i0', { dtype: 'int64', dims: [1], data: BigInt64Array.of(1n) });
    g.initializers.set('m1', { dtype: 'int64', dims: [1], data: BigInt64Array.of(-1n) });
    add('Gather', ['y0', 'i0'], 'c', { axis: { type: 'int', value: 0 } });
    add('Concat', ['c', 'm1'], 'spec', { axis: { type: 'int', value: 0 } });
    add('Reshape', ['x0', 'spec'], 'out');
    g.outputs = [{ name: 'out', dtype: 'float32', shape: [] }];
    expect(inferShapes(load(save(g))).outputs[0].shape).toEqual([c, 2 * h]);
  });
});
