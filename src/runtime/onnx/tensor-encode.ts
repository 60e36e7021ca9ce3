/**
 * IR TensorData -> TensorProto fields, always in raw_data (little-endian; int4/uint4 packed two per byte, low
 * nibble first; float16 narrowed from the f32 the IR holds, round to nearest even).
 */
import type { TensorData } from '../ir.ts';
import { dtypeToCode } from './dtypes.ts';
import { floatToHalf } from './float16.ts';
import type { TensorProtoMsg } from './tensor-decode.ts';

export function encodeTensor(t: TensorData, name: string): TensorProtoMsg {
  return { name, dims: t.dims, data_type: dtypeToCode(t.dtype), raw_data: rawBytes(t) };
}

/** The raw_data bytes of a tensor. */
export function rawBytes(t: TensorData): Uint8Array {
  const d = t.data;
  const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  switch (t.dtype) {
    case 'float32': case 'int8': case 'int32': case 'uint32': case 'int64': case 'uint64': case 'uint8': case 'bool':
      return bytesOf(d);
    case 'float64': return bytesOf(Float64Array.from(d as Float32Array));
    case 'float16': return bytesOf(Uint16Array.from(d as Float32Array, floatToHalf));
    case 'int16': return bytesOf(Int16Array.from(d as Int32Array));
    case 'uint16': return bytesOf(Uint16Array.from(d as Uint32Array));
    case 'int4': case 'uint4': return packNibbles(d as Int8Array | Uint8Array);
    case 'string': throw new Error('string tensors cannot be saved');
  }
}

/** Packs 4-bit values two per byte: element 2i in the low nibble, 2i+1 in the high one (an odd tail pads with 0). */
export function packNibbles(v: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(v.length / 2));
  for (let i = 0; i < v.length; i++) out[i >> 1] |= (v[i] & 0xf) << ((i & 1) * 4);
  return out;
}
