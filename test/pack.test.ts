import { describe, expect, it } from 'vitest';
import {
  type PackedFormat, chooseTensorQParams, dequantizeTensor, formatInfo, laneOf, pack, packedByteLength,
  packedWordsPerRow, quantizeTensor, slotRanges, unpack,
} from '../src/quant/index.ts';
import { testRng } from './helpers/rng.ts';

const FORMATS: PackedFormat[] = ['int8x4', 'uint8x4', 'int4x8', 'uint4x8'];

/** The buffer's bytes as the GPU sees them (WebGPU buffers are little-endian), independent of the host. */
function leBytes(words: Uint32Array): number[] {
  const dv = new DataView(new ArrayBuffer(words.length * 4));
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return Array.from(new Uint8Array(dv.buffer));
}

describe('packed formats: sizes', () => {
  it('rows are padded to whole words: ceil(cols / 4) for int8, ceil(cols / 8) for int4', () => {
    for (let cols = 1; cols <= 33; cols++) {
      expect(packedWordsPerRow(cols, 'int8x4')).toBe(Math.floor((cols + 3) / 4));
      expect(packedWordsPerRow(cols, 'int4x8')).toBe(Math.floor((cols + 7) / 8));
    }
    expect(packedByteLength(3, 5, 'int8x4')).toBe(24); // 3 rows x 2 words x 4 bytes
    expect(packedByteLength(3, 9, 'uint4x8')).toBe(24);
    expect(packedByteLength(1, 64, 'int4x8')).toBe(32); // 64 nibbles = 32 bytes, no padding
    const p = pack(new Int8Array(7 * 10), 'int4x8', 10);
    expect([p.rows, p.wordsPerRow, p.data.byteLength]).toEqual([7, 2, packedByteLength(7, 10, 'int4x8')]);
  });
});

describe('packed formats: the byte diagram', () => {
  it('int8x4: byte k of word j is element 4j+k, two\'s complement', () => {
    const p = pack([1, 2, 3, 4, 5, -1, -128, 127], 'int8x4');
    expect(Array.from(p.data)).toEqual([0x04030201, 0x7f80ff05]);
    expect(leBytes(p.data)).toEqual([1, 2, 3, 4, 5, 0xff, 0x80, 0x7f]);
    expect(leBytes(pack([9, 8, 7, 6, 5], 'uint8x4', 5).data)).toEqual([9, 8, 7, 6, 5, 0, 0, 0]);
  });

  it('int4x8: nibble k (bits 4k..4k+3) of word j is element 8j+k; low nibble first in each byte', () => {
    const p = pack([1, 2, 3, 4, 5, 6, 7, -8, -1], 'int4x8');
    expect(Array.from(p.data)).toEqual([0x87654321, 0x0000000f]);
    expect(leBytes(p.data)).toEqual([0x21, 0x43, 0x65, 0x87, 0x0f, 0, 0, 0]);
    expect(Array.from(pack([15, 0, 10], 'uint4x8').data)).toEqual([0x00000a0f]);
  });

  it('unpack sign-extends every lane value', () => {
    for (let v = 0; v < 16; v++) {
      expect(laneOf(v << 28, 7, 'int4x8')).toBe(v >= 8 ? v - 16 : v);
      expect(laneOf(v << 28, 7, 'uint4x8')).toBe(v);
    }
    for (let v = 0; v < 256; v++) {
      expect(laneOf(v << 8, 1, 'int8x4')).toBe(v >= 128 ? v - 256 : v);
      expect(laneOf((v << 24) >>> 0, 3, 'uint8x4')).toBe(v);
    }
  });

  it('padding lanes hold the pad value (e.g. the zero point)', () => {
    const p = pack([1, 2, 3, 4, 5, 6], 'int8x4', 3, -5);
    expect(leBytes(p.data).map((b) => (b << 24) >> 24)).toEqual([1, 2, 3, -5, 4, 5, 6, -5]);
  });

  it('codes that do not fit the lane are rejected by name', () => {
    expect(() => pack([0, 8], 'int4x8')).toThrow(/code \[0, 1\] = 8 outside \[-8, 7\]/);
    expect(() => pack([-1], 'uint8x4')).toThrow(/outside \[0, 255\]/);
    expect(() => pack([1, 2, 3], 'int8x4', 2)).toThrow(/3 codes do not form rows of 2/);
    expect(() => pack([1], 'int4x8', 1, 9)).toThrow(/pad = 9/);
  });
});

describe('packed formats: round trip', () => {
  it('quantize -> pack -> unpack -> dequantize gives the unpacked result, for awkward row lengths', () => {
    const rng = testRng();
    for (const format of FORMATS) {
      const { bits, lanes, signed } = formatInfo(format);
      const rows = rng.int(1, 6);
      const cols = lanes * rng.int(0, 3) + rng.int(1, lanes - 1); // never a multiple of the lane count
      const dims = [rows, cols];
      const x = rng.floats(rows * cols, -3, 3);
      const g = { kind: 'channel', axis: 0 } as const;
      const params = chooseTensorQParams(slotRanges(x, dims, g), dims, g, { bits, signed, symmetric: false });
      const q = quantizeTensor(x, params);
      const packed = pack(q, format, cols, signed ? params.qmin : 0);
      expect(packed.data.length).toBe(rows * Math.ceil(cols / lanes));
      const back = unpack(packed);
      expect(back).toBeInstanceOf(signed ? Int8Array : Uint8Array);
      expect(Array.from(back)).toEqual(Array.from(q));
      expect(dequantizeTensor(back, params)).toEqual(dequantizeTensor(q, params));
    }
  });
});
