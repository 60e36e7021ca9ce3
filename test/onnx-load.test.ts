import { describe, expect, it } from 'vitest';
import { ModelError, type Graph } from '../src/runtime/ir.ts';
import { decodeAttr } from '../src/runtime/onnx/attrs.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { int64ToBigInt, int64ToNumber, onnxTypes } from '../src/runtime/onnx/schema.ts';
import { decodeTensor, type TensorProtoMsg } from '../src/runtime/onnx/tensor-decode.ts';
import { topoSort } from '../src/runtime/passes/toposort.ts';
import { ASSET_MODELS, haveModels, readModel } from './fixtures/models.ts';
import { singleOp } from './fixtures/single-op.ts';
import { testRng } from './helpers/rng.ts';

/** Encodes a TensorProto then decodes it the way the loader does (through protobufjs, so int64s are Longs). */
function roundTripProto(t: TensorProtoMsg) {
  const T = onnxTypes().TensorProto;
  const msg = T.decode(T.encode(T.fromObject(t)).finish()) as unknown as TensorProtoMsg;
  return decodeTensor(msg, 'test tensor');
}

function chain(): Graph {
  const g = singleOp('Relu', [{ shape: [2, 3] }], {}, { outputRanks: [2] });
  g.nodes.push({ name: 'b', opType: 'Relu', domain: '', inputs: ['y0'], outputs: ['z'], attrs: {} });
  g.outputs = [{ name: 'z', dtype: 'float32', shape: [2, 3] }];
  return g;
}

describe.skipIf(!haveModels)('load the asset models', () => {
  for (const m of ASSET_MODELS) {
    it(`${m.file}: inputs, outputs, initializers, topological order`, () => {
      const g = load(readModel(m.file));
      expect(g.inputs.map((v) => v.name)).toEqual(Object.keys(m.input));
      expect(g.outputs.map((v) => v.name)).toEqual(Object.keys(m.outputs));
      expect(g.opset).toBeGreaterThanOrEqual(11);
      const seen = new Set([...g.initializers.keys(), ...g.inputs.map((v) => v.name), '']);
      for (const n of g.nodes) {
        for (const i of n.inputs) expect(seen.has(i), `${n.name} reads ${i} before it is produced`).toBe(true);
        n.outputs.forEach((o) => seen.add(o));
      }
      for (const [name, t] of g.initializers) {
        expect(t.data.length, name).toBe(t.dims.reduce((a, b) => a * b, 1));
      }
    });
  }

  it('rejects a truncated file with a ModelError', () => {
    const bytes = readModel(ASSET_MODELS[0].file);
    const rng = testRng();
    const cut = bytes.subarray(0, rng.int(100, bytes.length - 100));
    expect(() => load(cut)).toThrow(ModelError);
    expect(() => load(cut)).toThrow(/not a valid ONNX file|raw_data|invalid/);
  });
});

describe('malformed models', () => {
  it('rejects random bytes with a ModelError', () => {
    const rng = testRng();
    const bytes = Uint8Array.from({ length: rng.int(16, 4096) }, () => rng.int(0, 255));
    expect(() => load(bytes)).toThrow(ModelError);
  });

  it('names an input that nothing produces', () => {
    const g = chain();
    g.nodes[1].inputs = ['nowhere'];
    expect(() => load(save(g))).toThrow(/Relu 'b': input 'nowhere' is not a graph input, an initializer/);
  });

  it('names the nodes of a cycle', () => {
    const g = chain();
    g.nodes[0].inputs = ['z'];
    expect(() => topoSort(g)).toThrow(/cycle: (Relu_0 -> b -> Relu_0|b -> Relu_0 -> b)/);
  });

  it('accepts opsets 7..22, rejects the others and external data', () => {
    for (const opset of [7, 9, 10, 13, 22]) {
      const g = chain();
      g.opset = opset;
      expect(load(save(g)).opset).toBe(opset);
    }
    for (const opset of [6, 23]) {
      const g = chain();
      g.opset = opset;
      expect(() => load(save(g))).toThrow(new RegExp(`opset ${opset} is not supported`));
    }
    expect(() => roundTripProto({ name: 'w', dims: [2], data_type: 1, data_location: 1,
      external_data: [{ key: 'location', value: 'weights.bin' }] })).toThrow(/external file \('weights.bin'\)/);
  });

  it('reads a STRING attribute with no payload as empty, and refuses one whose payload is not bytes', () => {
    // A flipped type bit (CI fuzz case: resnet8 flips at 2470.7, 152.2, 2914.0, 2748.1) turned an attribute into
    // STRING with no `s`: protobufjs then gives its default, a plain empty array, which TextDecoder refused with a
    // TypeError instead of a ModelError.
    expect(decodeAttr({ name: 'auto_pad', type: 3, s: [] as unknown as Uint8Array }, "Conv 'c'")).toEqual({ type: 'string', value: '' });
    expect(() => decodeAttr({ name: 'auto_pad', type: 3, s: 7 as unknown as Uint8Array }, "Conv 'c'"))
      .toThrow(/Conv 'c': attribute 'auto_pad' has type STRING but its value is not a byte string/);
    expect(() => decodeAttr({ name: 'mode', type: 8, strings: [{} as Uint8Array] }, "Resize 'r'")).toThrow(ModelError);
  });

  it('names unnamed nodes <opType>_<index> and sorts nodes given out of order', () => {
    const g = chain();
    g.nodes.reverse();
    g.nodes.forEach((n) => (n.name = ''));
    const back = load(save(g));
    expect(back.nodes.map((n) => n.name)).toEqual(['Relu_1', 'Relu_0']);
    expect(back.nodes[0].outputs).toEqual(['y0']);
  });
});

describe('initializer decoding', () => {
  it('reads every typed field and raw_data layout', () => {
    const rng = testRng();
    const vals = Array.from({ length: 7 }, () => rng.int(-8, 7));
    const dims = [7];
    const f = Array.from({ length: 7 }, () => rng.uniform(-3, 3));
    expect([...roundTripProto({ dims, data_type: 1, float_data: f }).data]).toEqual(f.map(Math.fround));
    expect([...roundTripProto({ dims, data_type: 11, double_data: f }).data]).toEqual(f.map(Math.fround));
    expect([...roundTripProto({ dims, data_type: 3, int32_data: vals }).data]).toEqual(vals);
    expect([...roundTripProto({ dims, data_type: 5, int32_data: vals.map((v) => v * 1000) }).data]).toEqual(vals.map((v) => v * 1000));
    expect([...roundTripProto({ dims, data_type: 2, int32_data: vals.map((v) => v + 8) }).data]).toEqual(vals.map((v) => v + 8));
    expect([...roundTripProto({ dims, data_type: 9, int32_data: vals.map((v) => +(v > 0)) }).data]).toEqual(vals.map((v) => +(v > 0)));
    // float16 bits: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001.
    expect([...roundTripProto({ dims: [4], data_type: 10, int32_data: [0x3c00, 0xc100, 0x7bff, 1] }).data])
      .toEqual([1, -2.5, 65504, 2 ** -24]);
    const big = [2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -5n];
    expect([...roundTripProto({ dims: [4], data_type: 7, int64_data: big.map(String) as never }).data]).toEqual(big);
    // int4: packed two per byte, low nibble first, in raw_data and in int32_data.
    const packed = Uint8Array.from({ length: 4 }, (_, i) => ((vals[2 * i] & 15) | ((vals[2 * i + 1] ?? 0) & 15) << 4));
    expect([...roundTripProto({ dims, data_type: 22, raw_data: packed }).data]).toEqual(vals);
    expect([...roundTripProto({ dims, data_type: 22, int32_data: [...packed] }).data]).toEqual(vals);
    expect([...roundTripProto({ dims, data_type: 21, raw_data: packed }).data]).toEqual(vals.map((v) => v & 15));
    const raw = new Uint8Array(new Float32Array(f).buffer);
    expect([...roundTripProto({ dims, data_type: 1, raw_data: raw }).data]).toEqual(f.map(Math.fround));
  });

  it('names a tensor whose data does not match its dims', () => {
    expect(() => roundTripProto({ dims: [3], data_type: 1, raw_data: new Uint8Array(8) })).toThrow(/raw_data holds 8 bytes.*needs 12/);
    expect(() => roundTripProto({ dims: [2], data_type: 16, raw_data: new Uint8Array(4) })).toThrow(/bfloat16/);
  });

  it('reads int64 fields as protobufjs gives them: Long (Node) or a rounded number (browser)', () => {
    expect(int64ToBigInt({ low: -1, high: 0x7fffffff })).toBe(2n ** 63n - 1n);
    expect(int64ToBigInt({ low: 0, high: -0x80000000 })).toBe(-(2n ** 63n));
    expect(int64ToBigInt(2 ** 63)).toBe(2n ** 63n - 1n); // INT64_MAX rounded up by a double saturates, never wraps
    expect(int64ToBigInt(-(2 ** 63))).toBe(-(2n ** 63n));
    expect(int64ToNumber({ low: 5, high: -1 })).toBe(-(2 ** 32) + 5);
    expect(int64ToNumber({ low: -1, high: 0, unsigned: true })).toBe(2 ** 32 - 1);
  });
});
