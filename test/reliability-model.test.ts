/**
 * Issue 12, model side: each row of the table that concerns what a model may declare (dims, attributes,
 * names, modes, constant indices, precision configs) is refused with a ModelError naming the problem, before any
 * allocation derived from the model's claims and before any GPU work; the valid rows (Clip with infinite bounds,
 * Resize half_pixel_symmetric) give onnxruntime's answer.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { type AttrValue, type Graph, ModelError, type TensorData } from '../src/runtime/ir.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { testRng } from './helpers/rng.ts';

/** A GPU object that fails the test if anything asks it for an adapter. */
const noGpu = { requestAdapter: () => { throw new Error('GPU was touched'); }, wgslLanguageFeatures: new Set() } as unknown as GPU;

const f32 = (dims: number[], data: ArrayLike<number>): TensorData => ({ dtype: 'float32', dims, data: Float32Array.from(data) });

/** x [1,3,8,8] -> one node -> y, with the given initializers; `ins` are the node's extra inputs. */
function oneNode(opType: string, attrs: Record<string, AttrValue> = {}, inits: [string, TensorData][] = [], opset = 13,
  inShape: (number | string)[] = [1, 3, 8, 8]): Graph {
  return {
    name: 'one', opset, producer: 'quantgpu-test',
    inputs: [{ name: 'x', dtype: 'float32', shape: inShape }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [] }],
    initializers: new Map(inits), valueInfo: new Map(),
    nodes: [{ name: 'n0', opType, domain: '', inputs: ['x', ...inits.map(([k]) => k)], outputs: ['y'], attrs }],
  };
}

function conv(attrs: Record<string, AttrValue>, inShape: (number | string)[] = [1, 3, 8, 8]): Graph {
  return oneNode('Conv', attrs, [['w', f32([4, 3, 3, 3], testRng().floats(108))]], 13, inShape);
}

/** Rejects with a ModelError whose message matches `re`. */
async function refused(g: Graph | Uint8Array, re: RegExp, opts = {}): Promise<void> {
  const err = await InferenceSession.create(g instanceof Uint8Array ? g : save(g), { gpu: noGpu, ...opts }).then(() => undefined, (e: unknown) => e);
  expect(err, 'create() should reject').toBeInstanceOf(ModelError);
  expect((err as Error).message).toMatch(re);
}

describe('model validation (issue 12)', () => {
  it('an initializer claiming dims [1e6, 1e6, 1e3] without data: ModelError, nothing allocated', async () => {
    const g = oneNode('Add', {}, [['big', { dtype: 'float32', dims: [1e6, 1e6, 1e3], data: new Float32Array(0) }]]);
    await refused(g, /initializer 'big'.*float_data holds 0 values/);
  });

  it('dims beyond 2^53 (initializer and graph input) and Conv pads of 1e9: ModelError', async () => {
    const g = oneNode('Add', {}, [['big', { dtype: 'float32', dims: [2 ** 27, 2 ** 27], data: new Float32Array(0) }]]);
    await refused(g, /initializer 'big'.*2\^53/);
    await refused(conv({}, [1, 3, 2 ** 54, 8]), /input 'x' dimension 2/);
    const gpu = await testGpu();
    await refused(conv({ pads: { type: 'ints', value: [1e9, 1e9, 1e9, 1e9] } }), /Conv 'n0': output 'y' has shape \[1,4,2000000006,2000000006\] with more than 2\^53/);
    // Within 2^53 but beyond any device: refused at plan time, naming the tensor, its size and the limit.
    const err = await InferenceSession.create(save(conv({ pads: { type: 'ints', value: [3e4, 3e4, 3e4, 3e4] } })), { context: gpu }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/tensor 'y' \(f32 \[1,4,60006,60006\]\) needs 57611520576 bytes; the device allows \d+ bytes \(max(StorageBufferBindingSize|BufferSize)\)/);
  });

  it('graph input dims 0 or negative: ModelError (not planned as 1)', async () => {
    await refused(conv({}, [1, 3, 0, 8]), /input 'x' dimension 2 is 0/);
    await refused(conv({}, [1, -3, 8, 8]), /input 'x' dimension 1 is -3/);
    await refused(conv({}, ['N', 3, 8, 8]), /dimension 0 is 0.*inputShapes/, { inputShapes: { x: [0, 3, 8, 8] } });
  });

  it('duplicate initializer names: ModelError', async () => {
    const g = conv({});
    const bytes = save(g);
    // Append a second TensorProto named 'w' to the graph: save() writes a Map, so the duplicate is made by hand.
    const { onnxTypes } = await import('../src/runtime/onnx/schema.ts');
    const model = onnxTypes().ModelProto.decode(bytes) as unknown as { graph: { initializer: unknown[] } };
    model.graph.initializer.push(model.graph.initializer[0]);
    await refused(onnxTypes().ModelProto.encode(model).finish(), /initializer 'w' is defined twice/);
  });

  it('integer attributes given as floats and negative Conv pads: ModelError', async () => {
    await refused(conv({ strides: { type: 'floats', value: [1.5, 1.5] } }), /Conv 'n0'.*'strides' must hold integers.*1\.5/);
    await refused(conv({ group: { type: 'float', value: 0.5 } }), /'group' must be an integer/);
    await refused(conv({ pads: { type: 'ints', value: [-1, 0, 0, 0] } }), /Conv 'n0'.*pads \[-1,0,0,0\] must be >= 0/);
    await refused(oneNode('MaxPool', { kernel_shape: { type: 'ints', value: [2, 2] }, pads: { type: 'ints', value: [0, 0, -1, 0] } }), /pads.*must be >= 0/);
    await refused(conv({ auto_pad: { type: 'string', value: 'SAME_MIDDLE' } }), /unknown auto_pad 'SAME_MIDDLE'/);
  });

  it('Resize: tf_crop_and_resize refused by name, junk modes and nearest_mode refused', async () => {
    const scales: [string, TensorData][] = [['roi', f32([0], [])], ['scales', f32([4], [1, 1, 2, 2])]];
    const resize = (attrs: Record<string, AttrValue>) => oneNode('Resize', attrs, scales);
    const s = (value: string): AttrValue => ({ type: 'string', value });
    await refused(resize({ coordinate_transformation_mode: s('tf_crop_and_resize') }), /Resize 'n0'.*'tf_crop_and_resize' is not supported/);
    await refused(resize({ coordinate_transformation_mode: s('junk') }), /unknown coordinate_transformation_mode 'junk'/);
    await refused(resize({ nearest_mode: s('round_to_odd') }), /unknown nearest_mode 'round_to_odd'/);
    await refused(resize({ mode: s('trilinear') }), /unknown mode 'trilinear'/);
  });

  it('Resize half_pixel_symmetric (opset 19, fractional scales) matches onnxruntime', async () => {
    const rng = testRng();
    for (const mode of ['linear', 'nearest']) {
      const g = oneNode('Resize', { mode: { type: 'string', value: mode }, coordinate_transformation_mode: { type: 'string', value: 'half_pixel_symmetric' } },
        [['roi', f32([0], [])], ['scales', f32([4], [1, 1, 1.7, 0.6])]], 19, [1, 3, 7, 9]);
      const x = { dims: [1, 3, 7, 9], data: rng.floats(3 * 63) };
      const want = (await ortRun(save(g), { x }, { graphOptimizationLevel: 'disabled' })).y;
      const s = await InferenceSession.create(save(g), { context: await testGpu() });
      const got = (await s.run({ x })).y;
      await s.dispose();
      expect(got.dims).toEqual(want.dims);
      for (let i = 0; i < want.data.length; i++) expect(got.data[i], `${mode} element ${i}`).toBeCloseTo(want.data[i], 5);
    }
  });

  it('Clip with infinite bounds is a valid model and matches onnxruntime (also on +-inf and NaN)', async () => {
    const rng = testRng();
    const x = { dims: [1, 3, 8, 8], data: rng.floats(192, -5, 5) };
    x.data.set([Infinity, -Infinity, NaN, 0], 0);
    for (const [lo, hi] of [[-Infinity, 2], [-1, Infinity], [-Infinity, Infinity]]) {
      const g = oneNode('Clip', {}, [['lo', f32([], [lo])], ['hi', f32([], [hi])]]);
      const want = (await ortRun(save(g), { x }, { graphOptimizationLevel: 'disabled' })).y;
      const s = await InferenceSession.create(save(g), { context: await testGpu() });
      const got = (await s.run({ x })).y;
      await s.dispose();
      expect(Array.from(got.data), `Clip(${lo}, ${hi})`).toEqual(Array.from(want.data));
    }
  });

  it('Gather with an out-of-range constant index on GPU data: ModelError (not clamped)', async () => {
    const g = oneNode('Gather', { axis: { type: 'int', value: 1 } }, [['idx', { dtype: 'int64', dims: [2], data: BigInt64Array.from([0n, 3n]) }]]);
    await refused(g, /Gather 'n0'.*index 3 is out of range for axis 1 of size 3/);
    g.initializers.set('idx', { dtype: 'int64', dims: [2], data: BigInt64Array.from([-4n, 0n]) });
    await refused(g, /index -4 is out of range/);
  });

  it('a precision config entry that matches no layer is an error listing the nearest layer names', async () => {
    const g = conv({});
    g.nodes.push({ ...g.nodes[0], name: 'stem.conv', inputs: ['y', 'w2'], outputs: ['z'] });
    g.initializers.set('w2', f32([4, 4, 1, 1], testRng().floats(16)));
    g.outputs = [{ name: 'z', dtype: 'float32', shape: [] }];
    const config = { default: { weights: 'fp32' as const, activations: 'fp32' as const }, layers: { 'stem.cnv': { weights: 'int8' as const }, 'n*': { weights: 'int8' as const } } };
    const err = await InferenceSession.create(save(g), { gpu: noGpu, config }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/precision config: "stem\.cnv" matches no layer \(nearest: stem\.conv, n0\)/);
  });
});
