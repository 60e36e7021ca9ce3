import { describe, expect, it } from 'vitest';
import { type NpyData, readNpy, writeNpy } from '../src/io/npy.ts';
import { testRng } from './helpers/rng.ts';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

describe('npy', () => {
  it('writes the byte layout of the format spec for a tiny int32 array', () => {
    const bytes = writeNpy({ shape: [2, 3], data: Int32Array.of(1, 2, 3, 4, -1, 0x01020304) });
    // Header by hand: magic, version 1.0, HLEN (u16 LE), dict padded with spaces + '\n' to a multiple of 64.
    const dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
    const hlen = 128 - 10; // 10 + 58 + '\n' = 69 -> next multiple of 64 is 128
    const header = [0x93, ...ascii('NUMPY'), 1, 0, hlen & 0xff, hlen >> 8, ...ascii(dict)];
    while (header.length < 127) header.push(0x20);
    header.push(0x0a);
    const data = [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 4, 3, 2, 1];
    expect(Array.from(bytes)).toEqual([...header, ...data]);
    expect(readNpy(bytes)).toEqual({ dtype: 'i4', shape: [2, 3], data: Int32Array.of(1, 2, 3, 4, -1, 0x01020304) });
  });

  it('round-trips every dtype, including 0-d and empty arrays', () => {
    const rng = testRng();
    const shape = [rng.int(1, 4), rng.int(1, 5), rng.int(1, 3)];
    const n = shape[0] * shape[1] * shape[2];
    const cases: NpyData[] = [
      rng.floats(n, -1e3, 1e3), Float64Array.from(rng.floats(n), (v) => v / 3), rng.int8s(n),
      Uint8Array.from(rng.int8s(n)), Int32Array.from({ length: n }, () => rng.int(-(2 ** 31), 2 ** 31 - 1)),
      BigInt64Array.from({ length: n }, () => BigInt(rng.int(-1e9, 1e9)) * 1000003n),
      Uint16Array.from({ length: n }, () => rng.int(0, 0xffff)),
    ];
    for (const data of cases) {
      // Read through a Node Buffer inside a larger pool, as readFileSync may return.
      const bytes = writeNpy({ shape, data });
      const pooled = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
      const back = readNpy(pooled);
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(data);
    }
    expect(readNpy(writeNpy({ shape: [], data: Float32Array.of(3.5) })).shape).toEqual([]);
    expect(readNpy(writeNpy({ shape: [0, 4], data: new Float32Array(0) })).shape).toEqual([0, 4]);
  });

  it('reads a version 2.0 header', () => {
    const v1 = writeNpy({ shape: [3], data: Float32Array.of(1, 2, 3) });
    const hlen = v1[8] | (v1[9] << 8);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, hlen, true);
    v2.set(v1.subarray(10), 12);
    expect(readNpy(v2).data).toEqual(Float32Array.of(1, 2, 3));
  });

  it('rejects Fortran order, big-endian data and mismatched shapes with a clear error', () => {
    const patch = (from: string, to: string): Uint8Array => {
      const b = writeNpy({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
      const s = new TextDecoder('latin1').decode(b).replace(from, to);
      return Uint8Array.from(s, (c) => c.charCodeAt(0));
    };
    expect(() => readNpy(patch('False', 'True '))).toThrow(/fortran_order/);
    expect(() => readNpy(patch('<f4', '>f4'))).toThrow(/big-endian/);
    expect(() => readNpy(patch('<f4', '<c8'))).toThrow(/unsupported dtype/);
    expect(() => writeNpy({ shape: [3], data: Float32Array.of(1, 2) })).toThrow(/shape \[3\]/);
  });
});
