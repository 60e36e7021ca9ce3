/**
 * Issue 12, run side: device limits refused at plan time, GPU errors reject the call that caused them, runs on one
 * session are queued, dispose waits for the run in flight, a lost device rejects with a message that says so (and a
 * new session then works), SharedArrayBuffer inputs, NaN/Inf as onnxruntime gives them, non-finite inputs refused
 * by quantized models.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { type AttrValue, type Graph, ModelError, type TensorData } from '../src/runtime/ir.ts';
import { acquireNodeDevice } from '../src/node/gpu.ts';
import { nodeGpu } from '../src/node/gpu.ts';
import { PlanContext } from '../src/runtime/plan/context.ts';
import { DEVICE_PROFILES } from '../src/gpu/profiles.ts';
import { checkFinite } from '../src/runtime/inputs.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { testRng } from './helpers/rng.ts';
import { hasAssets, readAsset } from './helpers/assets.ts';

const f32 = (dims: number[], data: ArrayLike<number>): TensorData => ({ dtype: 'float32', dims, data: Float32Array.from(data) });

/** x [1,3,8,8] -> Conv 3x3 (4 channels, pad 1) -> Relu -> y: small, and its output depends on every input. */
function convRelu(seed = testRng()): Graph {
  return {
    name: 'cr', opset: 13, producer: 'quantgpu-test',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 8, 8] }],
    initializers: new Map([['w', f32([4, 3, 3, 3], seed.floats(108))]]), valueInfo: new Map(),
    nodes: [
      { name: 'conv0', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: { type: 'ints', value: [1, 1, 1, 1] } } },
      { name: 'relu0', opType: 'Relu', domain: '', inputs: ['c'], outputs: ['y'], attrs: {} },
    ],
  };
}

const input = (data: Float32Array) => ({ x: { dims: [1, 3, 8, 8], data } });

describe('device limits at plan time (issue 12)', () => {
  it('a tensor larger than maxStorageBufferBindingSize: create() rejects naming it, its size and the limit', async () => {
    // Resize x64 then GlobalAveragePool: a 256 MiB intermediate on a device with WebGPU's default limits (128 MiB).
    const gpu = await acquireNodeDevice({ limits: { maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20 } });
    const g: Graph = {
      name: 'big', opset: 13, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4, 64, 64] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 1, 1] }],
      initializers: new Map([['roi', f32([0], [])], ['scales', f32([4], [1, 1, 64, 64])]]), valueInfo: new Map(),
      nodes: [
        { name: 'up', opType: 'Resize', domain: '', inputs: ['x', 'roi', 'scales'], outputs: ['r'], attrs: {} },
        { name: 'gap', opType: 'GlobalAveragePool', domain: '', inputs: ['r'], outputs: ['y'], attrs: {} },
      ],
    };
    const err = await InferenceSession.create(save(g), { context: gpu }).catch((e: Error) => e);
    gpu.device.destroy();
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/tensor 'r' \(f32 \[1,4,4096,4096\]\) needs 268435456 bytes; the device allows 134217728 bytes \(maxStorageBufferBindingSize\)/);
  });

  it('a dispatch beyond maxComputeWorkgroupsPerDimension is refused with the node and kernel', () => {
    const target = { caps: DEVICE_PROFILES.generic.caps, limits: { maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 } };
    const ctx = new PlanContext(target, convRelu(), undefined);
    const spec = { name: 'k', key: 'k', code: '', entryPoint: 'main', constants: {}, bindings: [], dispatch: [1, 70000, 1] as [number, number, number] };
    expect(() => ctx.step('n7', 'Conv', spec, {})).toThrow(/Conv 'n7': kernel k needs \[1,70000,1\] workgroups; the device allows 65535 per dimension/);
  });
});

describe('GPU errors, queueing, dispose and device loss (issue 12)', () => {
  it('a GPU error during run() rejects it with the WebGPU message (never resolves with results)', async () => {
    const gpu = await testGpu();
    const s = await InferenceSession.create(save(convRelu()), { context: gpu, inputLayout: 'nhwc' });
    const buf = gpu.device.createBuffer({ size: 3 * 64 * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    buf.destroy(); // using a destroyed buffer in a submit is a validation error
    await expect(s.runGpu({ x: { dims: [1, 3, 8, 8], buffer: buf, layout: 'nhwc' } })).rejects.toThrow(/WebGPU validation error while encoding and submitting the plan: .+/);
    // The session still works afterwards.
    const x = testRng().floats(192);
    expect((await s.run(input(x))).y.data.length).toBe(256);
    await s.dispose();
  });

  it('10 run() calls without awaiting: each gets its own correct result', async () => {
    const rng = testRng();
    const s = await InferenceSession.create(save(convRelu(rng)), { context: await testGpu() });
    const xs = Array.from({ length: 10 }, () => rng.floats(192));
    const want: number[][] = [];
    for (const x of xs) want.push(Array.from((await s.run(input(x))).y.data));
    const got = await Promise.all(xs.map((x) => s.run(input(x))));
    got.forEach((r, i) => expect(Array.from(r.y.data), `run ${i}`).toEqual(want[i]));
    await s.dispose();
  });

  it('dispose() waits for the run in flight; later runs reject with a message', async () => {
    const rng = testRng();
    const s = await InferenceSession.create(save(convRelu(rng)), { context: await testGpu() });
    const x = rng.floats(192);
    const want = Array.from((await s.run(input(x))).y.data);
    const inFlight = s.run(input(x));
    const queued = s.run(input(x));
    const disposed = s.dispose();
    // Runs called before dispose() complete, correctly; dispose resolves after them; later calls reject.
    const late = s.run(input(x)).then(() => 'resolved', (e: Error) => e.message);
    expect(Array.from((await inFlight).y.data)).toEqual(want);
    expect(Array.from((await queued).y.data)).toEqual(want);
    await disposed;
    expect(await late).toMatch(/quantgpu: session was disposed/);
    await expect(s.run(input(x))).rejects.toThrow(/quantgpu: session was disposed/);
  });

  it('device loss rejects the pending and later runs with a message; a new session on a fresh device is correct', async () => {
    const rng = testRng();
    const model = save(convRelu(rng));
    const x = rng.floats(192);
    const gpu = await nodeGpu();
    const s = await InferenceSession.create(model, { gpu });
    const want = Array.from((await s.run(input(x))).y.data);
    const pending = s.run(input(x)).then(() => 'resolved', (e: Error) => e.message);
    s.context.device.destroy();
    const p = await pending;
    // The run in flight either finished before the loss or rejects saying the device was lost.
    if (p !== 'resolved') expect(p).toMatch(/the GPU device was lost \(destroyed.*create a new session/);
    await expect(s.run(input(x))).rejects.toThrow(/the GPU device was lost \(destroyed.*create a new session/);
    await s.dispose();
    const again = await InferenceSession.create(model, { gpu });
    expect(Array.from((await again.run(input(x))).y.data)).toEqual(want);
    await again.dispose();
  });
});

describe('inputs (issue 12)', () => {
  it('SharedArrayBuffer-backed input data is copied before upload (the process survives, the result is right)', async () => {
    const rng = testRng();
    const s = await InferenceSession.create(save(convRelu(rng)), { context: await testGpu() });
    const x = rng.floats(192);
    const shared = new Float32Array(new SharedArrayBuffer(192 * 4));
    shared.set(x);
    const want = Array.from((await s.run(input(x))).y.data);
    expect(Array.from((await s.run(input(shared))).y.data)).toEqual(want);
    await s.dispose();
  });

  it('a zero-element output comes back empty, with the dims onnxruntime gives (an empty Slice next to a real output)', async () => {
    const rng = testRng();
    const i64 = (v: number[]): TensorData => ({ dtype: 'int64', dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
    const k = rng.int(0, 4);
    const g: Graph = {
      name: 'empty', opset: 13, valueInfo: new Map(),
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4] }],
      outputs: [{ name: 'e', dtype: 'float32', shape: ['a', 'b'] }, { name: 'r', dtype: 'float32', shape: [1, 4] }],
      initializers: new Map([['s', i64([k])], ['t', i64([k])], ['ax', i64([1])]]),
      nodes: [
        { name: 'slice', opType: 'Slice', domain: '', inputs: ['x', 's', 't', 'ax'], outputs: ['e'], attrs: {} },
        { name: 'relu', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['r'], attrs: {} },
      ],
    };
    const bytes = save(g);
    const feeds = { x: { dims: [1, 4], data: rng.floats(4, -1, 1) } };
    const s = await InferenceSession.create(bytes, { context: await testGpu() });
    const [ours, ref] = [await s.run(feeds), await ortRun(bytes, feeds)];
    await s.dispose();
    expect(ours.e.dims).toEqual(ref.e.dims);
    expect(ours.e.data.length).toBe(0);
    expect(Array.from(ours.r.data)).toEqual(Array.from(ref.r.data));
  });

  it('elementwise ops give NaN where onnxruntime does (Relu, Clip, Sigmoid, HardSigmoid, Softmax, unary math, MaxPool)', async () => {
    const x = Float32Array.from([NaN, 1, -1, Infinity, -Infinity, 0, 2, NaN, 3, NaN, -2, 5, 1, 1, NaN, NaN]);
    const one = (op: string, attrs: Record<string, AttrValue> = {}, inits: [string, TensorData][] = []): Graph => ({
      name: op, opset: 13, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4, 2, 2] }], outputs: [{ name: 'y', dtype: 'float32', shape: [] }],
      initializers: new Map(inits), valueInfo: new Map(),
      nodes: [{ name: 'n', opType: op, domain: '', inputs: ['x', ...inits.map(([k]) => k)], outputs: ['y'], attrs }],
    });
    const cases = [one('Relu'), one('Clip', {}, [['lo', f32([], [-1.5])], ['hi', f32([], [2.5])]]), one('Sigmoid'), one('HardSigmoid'),
      one('Softmax'), one('LeakyRelu'), one('Exp'), one('Tanh'), one('Sqrt')];
    for (const g of cases) {
      const want = (await ortRun(save(g), { x: { dims: [1, 4, 2, 2], data: x } }, { graphOptimizationLevel: 'disabled' })).y.data;
      const s = await InferenceSession.create(save(g), { context: await testGpu() });
      const got = (await s.run({ x: { dims: [1, 4, 2, 2], data: x } })).y.data;
      await s.dispose();
      got.forEach((v, i) => expect(Number.isNaN(v), `${g.name} element ${i}: ${v} vs onnxruntime ${want[i]}`).toBe(Number.isNaN(want[i])));
      got.forEach((v, i) => {
        if (Number.isNaN(v) || !Number.isFinite(want[i])) expect(v, `${g.name} element ${i}`).toBe(want[i]);
        else expect(Math.abs(v - want[i]), `${g.name} element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
      });
    }
    // MaxPool: a window holding NaN gives NaN (IEEE maximum). onnxruntime's SIMD max depends on the NaN's lane, so
    // it is compared with the rule, not with onnxruntime: windows [NaN,1,-1,inf], [-inf,0,2,NaN], [3,NaN,-2,5], [1,1,NaN,NaN].
    const s = await InferenceSession.create(save(one('MaxPool', { kernel_shape: { type: 'ints', value: [2, 2] } })), { context: await testGpu() });
    expect(Array.from((await s.run({ x: { dims: [1, 4, 2, 2], data: x } })).y.data)).toEqual([NaN, NaN, NaN, NaN]);
    await s.dispose();
  });

  it.skipIf(!hasAssets)('ResNet-20 on an all-NaN or all-Inf input gives NaN logits, as onnxruntime does', async () => {
    const model = readAsset('models/resnet20_cifar10.onnx');
    const s = await InferenceSession.create(model, { context: await testGpu() });
    for (const v of [NaN, Infinity, -Infinity]) {
      const x = { dims: [1, 3, 32, 32], data: new Float32Array(3072).fill(v) };
      const want = (await ortRun(model, { input: x })).logits.data;
      const got = (await s.run({ input: x })).logits.data;
      expect(Array.from(got, Number.isNaN), `input ${v}`).toEqual(Array.from(want, Number.isNaN));
      expect(Array.from(want, Number.isNaN)).toContain(true); // the reference does give NaN here
    }
    await s.dispose();
  });

  it('a quantized (QDQ) model refuses a non-finite input by name and index; the check cost is measured', async () => {
    const rng = testRng();
    const scalar = (dtype: 'float32' | 'int8', v: number): TensorData => (dtype === 'float32' ? f32([], [v]) : { dtype, dims: [], data: Int8Array.of(v) });
    const g: Graph = {
      name: 'qdq', opset: 13, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 8, 8] }],
      initializers: new Map<string, TensorData>([['s', scalar('float32', 0.02)], ['z', scalar('int8', 0)], ['sw', scalar('float32', 0.01)],
        ['wq', { dtype: 'int8', dims: [4, 3, 3, 3], data: rng.int8s(108, -100, 100) }]]),
      valueInfo: new Map(),
      nodes: [
        { name: 'qx', opType: 'QuantizeLinear', domain: '', inputs: ['x', 's', 'z'], outputs: ['xq'], attrs: {} },
        { name: 'dx', opType: 'DequantizeLinear', domain: '', inputs: ['xq', 's', 'z'], outputs: ['xd'], attrs: {} },
        { name: 'dw', opType: 'DequantizeLinear', domain: '', inputs: ['wq', 'sw', 'z'], outputs: ['w'], attrs: {} },
        { name: 'conv0', opType: 'Conv', domain: '', inputs: ['xd', 'w'], outputs: ['c'], attrs: { pads: { type: 'ints', value: [1, 1, 1, 1] } } },
        { name: 'qc', opType: 'QuantizeLinear', domain: '', inputs: ['c', 's', 'z'], outputs: ['cq'], attrs: {} },
        { name: 'dc', opType: 'DequantizeLinear', domain: '', inputs: ['cq', 's', 'z'], outputs: ['y'], attrs: {} },
      ],
    };
    const s = await InferenceSession.create(save(g), { context: await testGpu() });
    const data = rng.floats(192);
    expect((await s.run(input(data))).y.data.length).toBe(256);
    data[123] = NaN;
    await expect(s.run(input(data))).rejects.toThrow(/input 'x' holds NaN at index 123; this model quantizes its activations/);
    data[123] = -Infinity;
    await expect(s.run(input(data))).rejects.toThrow(/holds -Infinity at index 123/);
    await s.dispose();
    // Cost on a YOLOX-sized input (3 x 416 x 416): reported, never asserted.
    const big = testRng().floats(3 * 416 * 416);
    checkFinite('warm', big);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) checkFinite('images', big);
    console.log(`checkFinite on 3x416x416 floats: ${((performance.now() - t0) / 20).toFixed(3)} ms per input`);
  });
});
