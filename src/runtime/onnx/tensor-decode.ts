/**
 * TensorProto -> IR TensorData. Reads raw_data (little-endian, fixed width; int4/uint4 packed two per byte, low
 * nibble first) and the typed fields (float_data, int32_data, int64_data, double_data, uint64_data).
 */
import { ModelError, type DType, type TensorData, type TensorStorage } from '../ir.ts';
import { allocStorage, codeName, dtypeFromCode, rawElementBytes } from './dtypes.ts';
import { halfToFloat } from './float16.ts';
import { type Int64, int64ToBigInt, int64ToNumber } from './schema.ts';

/** The decoded protobufjs TensorProto fields we read (snake_case, `keepCase`). */
export interface TensorProtoMsg {
  name?: string;
  dims?: Int64[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  double_data?: number[];
  uint64_data?: Int64[];
  string_data?: Uint8Array[];
  external_data?: { key?: string; value?: string }[];
  data_location?: number;
}

/** Decodes one tensor; `what` names it in errors (e.g. "initializer 'conv1.weight'"). */
export function decodeTensor(t: TensorProtoMsg, what: string): TensorData {
  if (t.data_location === 1 || (t.external_data && t.external_data.length > 0)) {
    const loc = t.external_data?.find((e) => e.key === 'location')?.value ?? '?';
    throw new ModelError(`${what} keeps its data in an external file ('${loc}'); external data is not supported: ` +
      `save the model with all tensors inside the .onnx file`);
  }
  const code = t.data_type ?? 0;
  const dtype = dtypeFromCode(code);
  if (!dtype || dtype === 'string') throw new ModelError(`${what} has unsupported data type ${codeName(code)}`);
  const dims = (t.dims ?? []).map(int64ToNumber);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ModelError(`${what} has invalid dims [${dims}]`);
  const n = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(n)) throw new ModelError(`${what} has dims [${dims}]: more than 2^53 elements`);
  const raw = t.raw_data;
  const data = raw && raw.length > 0 ? fromRaw(raw, dtype, n, what) : fromTyped(t, dtype, n, what);
  return { dtype, dims, data };
}

function fromRaw(raw: Uint8Array, dtype: DType, n: number, what: string): TensorStorage {
  const want = Math.ceil(n * rawElementBytes(dtype));
  if (raw.length !== want) {
    throw new ModelError(`${what}: raw_data holds ${raw.length} bytes, ${dtype} [${n} elements] needs ${want}`);
  }
  // Copy into a fresh, aligned buffer: protobufjs hands out views into the file at any byte offset.
  const bytes = new Uint8Array(raw);
  const b = bytes.buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(b);
    case 'float64': return Float32Array.from(new Float64Array(b));
    case 'float16': return Float32Array.from(new Uint16Array(b), halfToFloat);
    case 'int8': return new Int8Array(b);
    case 'uint8': case 'bool': return bytes;
    case 'int16': return Int32Array.from(new Int16Array(b));
    case 'uint16': return Uint32Array.from(new Uint16Array(b));
    case 'int32': return new Int32Array(b);
    case 'uint32': return new Uint32Array(b);
    case 'int64': case 'uint64': return new BigInt64Array(b);
    case 'int4': case 'uint4': return unpackNibbles(bytes, n, dtype === 'int4');
    case 'string': throw new ModelError(`${what}: string tensors are not supported`);
  }
}

/** Two 4-bit values per byte, element 2i in the low nibble, 2i+1 in the high nibble; int4 sign-extended. */
export function unpackNibbles(bytes: ArrayLike<number>, n: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const nib = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
    out[i] = signed ? (nib << 28) >> 28 : nib;
  }
  return out;
}

function fromTyped(t: TensorProtoMsg, dtype: DType, n: number, what: string): TensorStorage {
  const check = (len: number, field: string, per = 1): void => {
    if (len !== Math.ceil(n / per)) {
      throw new ModelError(`${what}: ${field} holds ${len} values, dims need ${Math.ceil(n / per)}`);
    }
  };
  // The field's length is checked against dims before allocating: dims are the file's claim, the data is real.
  const field = typedLength(t, dtype);
  if (field.length !== Math.ceil(n / field.per) && !(field.per === 2 && field.length === n)) check(field.length, field.name, field.per);
  const out = allocStorage(dtype, n);
  switch (dtype) {
    case 'float32': {
      const src = t.float_data ?? [];
      check(src.length, 'float_data');
      (out as Float32Array).set(src);
      return out;
    }
    case 'float64': {
      const src = t.double_data ?? [];
      check(src.length, 'double_data');
      (out as Float32Array).set(src);
      return out;
    }
    case 'int64': {
      const src = t.int64_data ?? [];
      check(src.length, 'int64_data');
      for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = int64ToBigInt(src[i]);
      return out;
    }
    case 'uint32': case 'uint64': {
      const src = t.uint64_data ?? [];
      check(src.length, 'uint64_data');
      for (let i = 0; i < n; i++) {
        if (dtype === 'uint64') (out as BigInt64Array)[i] = BigInt.asIntN(64, int64ToBigInt(src[i]));
        else out[i] = int64ToNumber(src[i]);
      }
      return out;
    }
    case 'int4': case 'uint4': {
      const src = t.int32_data ?? [];
      // ONNX's helper packs int4 pairs into int32_data (one byte per entry); accept one value per entry as well.
      if (src.length === n && n > 1) return dtype === 'int4' ? Int8Array.from(src) : Uint8Array.from(src);
      check(src.length, 'int32_data (packed int4)', 2);
      return unpackNibbles(src, n, dtype === 'int4');
    }
    default: {
      const src = t.int32_data ?? [];
      check(src.length, 'int32_data');
      if (dtype === 'float16') for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i] & 0xffff);
      else (out as Int32Array).set(src);
      return out;
    }
  }
}

/** Which typed field holds a dtype's values, and how many values each entry packs. */
function typedLength(t: TensorProtoMsg, dtype: DType): { name: string; length: number; per: number } {
  switch (dtype) {
    case 'float32': return { name: 'float_data', length: t.float_data?.length ?? 0, per: 1 };
    case 'float64': return { name: 'double_data', length: t.double_data?.length ?? 0, per: 1 };
    case 'int64': return { name: 'int64_data', length: t.int64_data?.length ?? 0, per: 1 };
    case 'uint32': case 'uint64': return { name: 'uint64_data', length: t.uint64_data?.length ?? 0, per: 1 };
    case 'int4': case 'uint4': return { name: 'int32_data (packed int4)', length: t.int32_data?.length ?? 0, per: 2 };
    default: return { name: 'int32_data', length: t.int32_data?.length ?? 0, per: 1 };
  }
}
