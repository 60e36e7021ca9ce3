/** Bad input gives clear errors that name the problem, before any GPU work where possible; nothing hangs. */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { save } from '../src/runtime/onnx/save.ts';
import type { Graph, TensorData } from '../src/runtime/ir.ts';
import { testGpu } from './helpers/gpu.ts';
import { testRng } from './helpers/rng.ts';

/** A GPU object that fails the test if anything asks it for an adapter. */
const noGpu = { requestAdapter: () => { throw new Error('GPU was touched'); }, wgslLanguageFeatures: new Set() } as unknown as GPU;

function tinyGraph(op = 'Relu'): Graph {
  const rng = testRng();
  const w: TensorData = { dtype: 'float32', dims: [4, 3, 3, 3], data: rng.floats(108) };
  return {
    name: 'tiny', opset: 13, producer: 'quantgpu-test',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 8, 8] }],
    initializers: new Map([['w', w]]),
    valueInfo: new Map(),
    nodes: [
      { name: 'conv0', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: { type: 'ints', value: [1, 1, 1, 1] } } },
      { name: 'act0', opType: op, domain: '', inputs: ['c'], outputs: ['y'], attrs: {} },
    ],
  };
}

describe('bad models and bad inputs', () => {
  it('reports an unsupported op by name and node before touching the GPU', async () => {
    const bytes = save(tinyGraph('Celu'));
    await expect(InferenceSession.create(bytes, { gpu: noGpu })).rejects.toThrow(/Celu.*act0/);
  });

  it('rejects a truncated model with a clear error', async () => {
    const bytes = save(tinyGraph());
    const cut = bytes.slice(0, Math.floor(bytes.length * 0.6));
    await expect(InferenceSession.create(cut, { gpu: noGpu })).rejects.toThrow(/ONNX|truncat|malformed|invalid/i);
  });

  it('rejects random bytes', async () => {
    const rng = testRng();
    const junk = Uint8Array.from({ length: 256 }, () => rng.int(0, 255));
    await expect(InferenceSession.create(junk, { gpu: noGpu })).rejects.toThrow(/ONNX|malformed|invalid|truncat|opset|graph/i);
  });

  it('names a wrong input name, shape and dtype', async () => {
    const s = await InferenceSession.create(save(tinyGraph()), { context: await testGpu() });
    const data = testRng().floats(3 * 64);
    await expect(s.run({ nope: { dims: [1, 3, 8, 8], data } })).rejects.toThrow(/unknown input 'nope'.*x/);
    await expect(s.run({ x: { dims: [1, 3, 4, 16], data } })).rejects.toThrow(/shape \[1,3,4,16\].*\[1,3,8,8\]/);
    await expect(s.run({ x: { dims: [1, 3, 8, 8], data: new Int32Array(192) } })).rejects.toThrow(/float32/);
    await expect(s.run({ x: { dims: [1, 3, 8, 8], data: data.subarray(1) } })).rejects.toThrow(/191 values/);
    const ok = await s.run({ x: { dims: [1, 3, 8, 8], data } });
    expect(ok.y.dims).toEqual([1, 4, 8, 8]);
    s.dispose();
    await expect(s.run({ x: { dims: [1, 3, 8, 8], data } })).rejects.toThrow(/disposed/);
  });

  it('names the node when shapes do not fit', async () => {
    const g = tinyGraph();
    g.initializers.set('w', { dtype: 'float32', dims: [4, 5, 3, 3], data: new Float32Array(180).fill(0.5) });
    await expect(InferenceSession.create(save(g), { gpu: noGpu })).rejects.toThrow(/conv0/);
  });
});
