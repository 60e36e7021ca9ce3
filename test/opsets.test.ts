/**
 * Older opsets load and run as onnxruntime runs them: opset 7 (Upsample with a `scales` attribute,
 * BatchNormalization with `spatial`, Clip with min/max attributes, Dropout), opset 9 (Upsample with a scales
 * input), opset 10 (QuantizeLinear / DequantizeLinear per tensor, Resize-10), and the newest, 22.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { sqnr } from '../src/quant/index.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { type Rng, testRng } from './helpers/rng.ts';
import { QdqBuilder } from './fixtures/qdq-builder.ts';
import { agreement, formatAgreement } from './helpers/qdq-agreement.ts';

/** conv -> BatchNormalization -> Clip(0, 6) -> Dropout -> upsample x2 -> conv, in the given opset's spelling. */
function floatNet(opset: number, rng: Rng): Uint8Array {
  const b = new QdqBuilder(`opset${opset}`, rng, opset);
  const f = (dims: number[], lo: number, hi: number) => b.tensor('f', { dtype: 'float32', dims, data: rng.floats(dims.reduce((a, v) => a * v, 1), lo, hi) });
  let x = b.op('Conv', [b.input('x', [1, 3, 6, 6]), f([8, 3, 3, 3], -0.5, 0.5), f([8], -0.1, 0.1)], { pads: [1, 1, 1, 1] });
  const bnAttrs: Record<string, number> = opset < 9 ? { spatial: 1 } : {};
  x = b.op('BatchNormalization', [x, f([8], 0.5, 1.5), f([8], -0.2, 0.2), f([8], -0.1, 0.1), f([8], 0.5, 2)], bnAttrs);
  if (opset < 11) {
    b.nodes.push({ name: 'clip', opType: 'Clip', domain: '', inputs: [x], outputs: ['clipped'],
      attrs: { min: { type: 'float', value: 0 }, max: { type: 'float', value: 6 } } });
    x = 'clipped';
  } else {
    x = b.op('Clip', [x, b.scalar(0), b.scalar(6)]);
  }
  x = b.op('Dropout', [x]);
  if (opset < 9) {
    b.nodes.push({ name: 'up', opType: 'Upsample', domain: '', inputs: [x], outputs: ['up'],
      attrs: { scales: { type: 'floats', value: [1, 1, 2, 2] }, mode: { type: 'string', value: 'nearest' } } });
    x = 'up';
  } else {
    const sc = b.tensor('sc', { dtype: 'float32', dims: [4], data: Float32Array.of(1, 1, 2, 3) });
    x = opset < 10 ? b.op('Upsample', [x, sc], { mode: 'nearest' }) : b.op('Resize', opset < 11 ? [x, sc] : [x, '', sc], { mode: 'nearest' });
  }
  b.output(b.op('Conv', [x, f([4, 8, 3, 3], -0.5, 0.5)], { pads: [1, 1, 1, 1] }));
  return b.save();
}

describe('older and newer opsets against onnxruntime', () => {
  for (const opset of [7, 9, 10, 13, 22]) {
    it(`opset ${opset}: BatchNormalization, Clip, Dropout, Upsample/Resize`, async () => {
      const rng = testRng();
      const bytes = floatNet(opset, rng);
      const feeds = { x: { dims: [1, 3, 6, 6], data: rng.floats(108, -1, 1) } };
      const session = await InferenceSession.create(bytes, { context: await testGpu() });
      const ours = await session.run(feeds);
      const ref = await ortRun(bytes, feeds);
      const name = Object.keys(ref)[0];
      const db = sqnr(ref[name].data, ours[name].data);
      console.log(`[opsets] opset ${opset}: SQNR ${db.toFixed(1)} dB vs onnxruntime`);
      expect(ours[name].dims).toEqual(ref[name].dims);
      expect(db).toBeGreaterThanOrEqual(45);
      session.dispose();
    }, 300_000);
  }

  it('opset 10 QDQ (per-tensor weights, Resize-10) on the integer kernels, bit for bit', async () => {
    const rng = testRng();
    const b = new QdqBuilder('opset10-qdq', rng, 10);
    const s = (v: number) => b.tensor('s', { dtype: 'float32', dims: [], data: Float32Array.of(v) });
    const z = (v: number) => b.tensor('z', { dtype: 'uint8', dims: [], data: Uint8Array.of(v) });
    const zi = () => b.tensor('z', { dtype: 'int8', dims: [], data: Int8Array.of(0) });
    const dq = (codes: string, sc: string, zp: string) => b.op('DequantizeLinear', [codes, sc, zp]);
    const [s0, z0, s1, z1, s2, z2] = [s(0.02), z(128), s(0.03), z(0), s(0.05), z(100)];
    let x = dq(b.op('QuantizeLinear', [b.input('x', [1, 3, 5, 5]), s0, z0]), s0, z0);
    const w = b.tensor('w', { dtype: 'int8', dims: [6, 3, 3, 3], data: Int8Array.from(rng.int8s(162), (v) => Math.max(-127, v)) });
    x = b.op('Relu', [b.op('Conv', [x, dq(w, s(0.004), zi()), ''], { pads: [1, 1, 1, 1] })]);
    x = dq(b.op('QuantizeLinear', [x, s1, z1]), s1, z1);
    const sc = b.tensor('sc', { dtype: 'float32', dims: [4], data: Float32Array.of(1, 1, 2, 2) });
    x = dq(b.op('QuantizeLinear', [b.op('Resize', [x, sc], { mode: 'nearest' }), s1, z1]), s1, z1);
    const w2 = b.tensor('w', { dtype: 'int8', dims: [4, 6, 1, 1], data: Int8Array.from(rng.int8s(24), (v) => Math.max(-127, v)) });
    const y = dq(b.op('QuantizeLinear', [b.op('Conv', [x, dq(w2, s(0.01), zi()), '']), s2, z2]), s2, z2);
    b.output(y);
    const bytes = b.save();
    const feeds = { x: { dims: [1, 3, 5, 5], data: rng.floats(75, -2, 2) } };
    const session = await InferenceSession.create(bytes, { context: await testGpu() });
    expect(session.steps().filter((st) => st.op === 'Conv').map((st) => st.precision)).toEqual(['w8a8', 'w8a8']);
    const ours = await session.run(feeds);
    const ref = await ortRun(bytes, feeds, { graphOptimizationLevel: 'disabled' });
    const a = agreement(y, ours[y].data, ref[y].data, 0.05);
    console.log(`[opsets] opset 10 QDQ: ${formatAgreement(a)}`);
    expect(a.maxLsb).toBe(0);
    session.dispose();
  }, 300_000);
});
