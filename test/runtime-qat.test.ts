/**
 * The QDQ layout of PyTorch quantization-aware-training exports: float weights behind QuantizeLinear ->
 * DequantizeLinear (folded here into int8 initializers), uint8 activations. It must run on the integer kernels.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { save } from '../src/runtime/onnx/save.ts';
import type { Graph, Node, TensorData } from '../src/runtime/ir.ts';
import { sqnr } from '../src/quant/index.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const f32 = (dims: number[], data: Float32Array): TensorData => ({ dtype: 'float32', dims, data });
const u8 = (v: number): TensorData => ({ dtype: 'uint8', dims: [], data: Uint8Array.of(v) });
const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name, opType, domain: '', inputs, outputs, attrs });

/** x -> Q/DQ (uint8) -> Conv(W: Q/DQ per channel) -> Relu -> Q/DQ (uint8) -> y, twice. */
function qatGraph(rng: Rng): Graph {
  const init = new Map<string, TensorData>();
  const nodes: Node[] = [];
  const c = [3, 8, 8];
  let x = 'x';
  init.set('s_in', f32([], Float32Array.of(2 / 255)));
  init.set('z_in', u8(128));
  nodes.push(node('q_in', 'QuantizeLinear', [x, 's_in', 'z_in'], ['xq']), node('dq_in', 'DequantizeLinear', ['xq', 's_in', 'z_in'], ['xd']));
  x = 'xd';
  for (let l = 0; l < 2; l++) {
    const [cin, cout] = [c[l], c[l + 1]];
    const w = rng.floats(cout * cin * 9, -0.5, 0.5);
    const ws = Float32Array.from({ length: cout }, (_, o) => Math.max(...Array.from(w.subarray(o * cin * 9, (o + 1) * cin * 9), Math.abs)) / 127);
    init.set(`w${l}`, f32([cout, cin, 3, 3], w));
    init.set(`ws${l}`, f32([cout], ws));
    init.set(`wz${l}`, { dtype: 'int8', dims: [cout], data: new Int8Array(cout) });
    init.set(`b${l}`, f32([cout], rng.floats(cout, -0.2, 0.2)));
    init.set(`s${l}`, f32([], Float32Array.of(rng.uniform(0.01, 0.03))));
    init.set(`z${l}`, u8(rng.int(0, 20)));
    const ax = { axis: { type: 'int' as const, value: 0 } };
    nodes.push(
      node(`wq${l}`, 'QuantizeLinear', [`w${l}`, `ws${l}`, `wz${l}`], [`wq${l}_out`], ax),
      node(`wdq${l}`, 'DequantizeLinear', [`wq${l}_out`, `ws${l}`, `wz${l}`], [`wd${l}`], ax),
      node(`conv${l}`, 'Conv', [x, `wd${l}`, `b${l}`], [`c${l}`], { pads: { type: 'ints', value: [1, 1, 1, 1] } }),
      node(`relu${l}`, 'Relu', [`c${l}`], [`r${l}`]),
      node(`q${l}`, 'QuantizeLinear', [`r${l}`, `s${l}`, `z${l}`], [`rq${l}`]),
      node(`dq${l}`, 'DequantizeLinear', [`rq${l}`, `s${l}`, `z${l}`], [l === 1 ? 'y' : `rd${l}`]),
    );
    x = `rd${l}`;
  }
  return {
    name: 'qat', opset: 13, nodes, initializers: init, valueInfo: new Map(),
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 12, 12] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1, 8, 12, 12] }],
  };
}

describe('QAT-style QDQ models', () => {
  it('fold the weights\' QuantizeLinear and run every conv on the integer kernel', async () => {
    const rng = testRng();
    const bytes = save(qatGraph(rng));
    const session = await InferenceSession.create(bytes, { context: await testGpu() });
    const convs = session.steps().filter((s) => s.op === 'Conv');
    expect(convs.map((s) => s.precision)).toEqual(['w8a8', 'w8a8']);
    const feeds = { x: { dims: [1, 3, 12, 12], data: rng.floats(432, -1, 1) } };
    const ours = await session.run(feeds);
    const sim = await ortRun(bytes, feeds, { graphOptimizationLevel: 'disabled' });
    const db = sqnr(sim.y.data, ours.y.data);
    console.log(`QAT-style 2-layer net: SQNR ${db.toFixed(1)} dB vs onnxruntime fake quant`);
    expect(db).toBeGreaterThan(35);
    session.dispose();
  });

  it('plan-time tuning times every integer conv family and keeps the output bytes (all families are exact)', async () => {
    const { Autotuner } = await import('../src/runtime/plan/autotune.ts');
    const rng = testRng();
    const bytes = save(qatGraph(rng));
    const ctx = await testGpu();
    const plain = await InferenceSession.create(bytes, { context: ctx });
    const tuner = new Autotuner();
    const tuned = await InferenceSession.create(bytes, { context: ctx, tune: tuner });
    const convs = tuned.steps().filter((s) => s.op === 'Conv');
    expect(convs.every((s) => s.choice?.tuned && s.choice.macPerByte > 0)).toBe(true);
    expect(plain.steps().filter((s) => s.op === 'Conv').every((s) => s.choice && !s.choice.tuned)).toBe(true);
    expect(tuned.describePlan()).toMatch(/\{(reg|fma|smem) [^,]+, tuned, [0-9.]+ MAC\/B\}/);
    const feeds = { x: { dims: [1, 3, 12, 12], data: rng.floats(432, -1, 1) } };
    expect(Array.from((await tuned.run(feeds)).y.data)).toEqual(Array.from((await plain.run(feeds)).y.data));
    [plain, tuned].forEach((s) => s.dispose());
  }, 600_000);
});
