import { describe, expect, it } from 'vitest';
import { load } from '../src/runtime/onnx/load.ts';
import { irVersionFor, save } from '../src/runtime/onnx/save.ts';
import { onnxTypes, int64ToNumber } from '../src/runtime/onnx/schema.ts';
import { fromNumbers } from '../src/runtime/cpu-ops/tensor.ts';
import { ASSET_MODELS, haveModels, readModel } from './fixtures/models.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { singleOp } from './fixtures/single-op.ts';
import { relError, testRng } from './helpers/rng.ts';

describe.skipIf(!haveModels)('save round trip', () => {
  for (const m of ASSET_MODELS) {
    it(`${m.file}: load -> save gives the same onnxruntime outputs`, async () => {
      const bytes = readModel(m.file);
      const g = load(bytes);
      const rng = testRng();
      const [name, shape] = Object.entries(m.input)[0] as [string, readonly number[]];
      const n = shape.reduce((a, b) => a * b, 1);
      const feeds = { [name]: fromNumbers('float32', [...shape], Array.from({ length: n }, () => rng.uniform(0, 1))) };
      const want = await ortRunModel(bytes, feeds);
      const got = await ortRunModel(save(g), feeds);
      for (const k of Object.keys(m.outputs)) {
        expect(got[k].dims).toEqual(want[k].dims);
        expect(relError(got[k].data as Float32Array, want[k].data as Float32Array)).toBe(0);
      }
      // And the IR survives a second trip unchanged.
      const again = load(save(g));
      expect(again.nodes).toEqual(g.nodes);
      expect([...again.initializers.keys()]).toEqual([...g.initializers.keys()]);
    });
  }
});

describe('save', () => {
  it('writes ir_version by opset', () => {
    for (const [opset, ir] of [[13, 8], [18, 8], [19, 9], [21, 10]]) {
      const g = singleOp('Relu', [{ shape: [2] }], {}, { opset, outputRanks: [1] });
      const m = onnxTypes().ModelProto.decode(save(g)) as unknown as { ir_version: never };
      expect(int64ToNumber(m.ir_version)).toBe(ir);
      expect(irVersionFor(opset)).toBe(ir);
    }
  });

  it('round-trips int4 (packed, opset 21), float16 and int64 initializers, and runs int4 in onnxruntime', async () => {
    const rng = testRng();
    const n = rng.int(3, 33);
    const q = Array.from({ length: n }, () => rng.int(-8, 7));
    const g = singleOp('DequantizeLinear', [{ shape: [n], dtype: 'int4', values: q }, { shape: [], values: [0.5] },
      { shape: [], dtype: 'int4', values: [1] }], {}, { opset: 21, outputRanks: [1] });
    const halfs = [1, -2.5, 0.333251953125, 65504];
    g.initializers.set('h', { dtype: 'float16', dims: [4], data: Float32Array.from(halfs) });
    g.initializers.set('i', { dtype: 'int64', dims: [2], data: BigInt64Array.of(2n ** 62n + 3n, -7n) });
    const bytes = save(g);
    const back = load(bytes);
    expect([...back.initializers.get('x0')!.data]).toEqual(q);
    expect([...back.initializers.get('h')!.data]).toEqual(halfs);
    expect([...back.initializers.get('i')!.data]).toEqual([2n ** 62n + 3n, -7n]);
    const out = await ortRunModel(bytes, {});
    expect([...(out.y0.data as Float32Array)]).toEqual(q.map((v) => (v - 1) * 0.5));
    g.opset = 20;
    expect(() => save(g)).toThrow(/int4\/uint4 initializers need opset 21/);
  });

  it('keeps attributes of every kind', () => {
    const g = singleOp('Relu', [{ shape: [2] }], {
      a: { type: 'int', value: -3 }, b: { type: 'float', value: 0.25 }, c: { type: 'string', value: 'héllo' },
      d: { type: 'ints', value: [1, -2, 2 ** 40] }, e: { type: 'floats', value: [0.5, -1] }, f: { type: 'strings', value: ['x', ''] },
      t: { type: 'tensor', value: fromNumbers('int64', [2], [4, -5]) },
    }, { outputRanks: [1] });
    expect(load(save(g)).nodes[0].attrs).toEqual(g.nodes[0].attrs);
  });
});
