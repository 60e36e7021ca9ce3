/**
 * ONNX TensorProto.DataType codes and their IR dtypes, and the typed-array storage the IR uses for each dtype
 * (see `TensorStorage` in ir.ts).
 */
import type { DType, TensorStorage } from '../ir.ts';

/** TensorProto.DataType code -> IR dtype (codes 14-20, 23+ are complex, bfloat16 and float8/float4: not supported). */
const CODE_TO_DTYPE: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 21: 'uint4', 22: 'int4',
};

const CODE_NAMES: Record<number, string> = {
  14: 'complex64', 15: 'complex128', 16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2',
  20: 'float8e5m2fnuz', 23: 'float4e2m1',
};

const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([c, d]) => [d, Number(c)])) as Record<
  DType,
  number
>;

/** The IR dtype of an ONNX data type code, or undefined with a readable name in `unsupportedName`. */
export function dtypeFromCode(code: number): DType | undefined {
  return CODE_TO_DTYPE[code];
}

/** A readable name for an unsupported code (for error messages). */
export function codeName(code: number): string {
  return CODE_TO_DTYPE[code] ?? CODE_NAMES[code] ?? `data type ${code}`;
}

export function dtypeToCode(dtype: DType): number {
  return DTYPE_TO_CODE[dtype];
}

/** Bytes per element in ONNX raw_data (int4/uint4: 0.5, packed two per byte). */
export function rawElementBytes(dtype: DType): number {
  switch (dtype) {
    case 'int4': case 'uint4': return 0.5;
    case 'int8': case 'uint8': case 'bool': return 1;
    case 'int16': case 'uint16': case 'float16': return 2;
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'string': return 0;
  }
}

/** A zeroed IR storage array for `n` elements of `dtype`. */
export function allocStorage(dtype: DType, n: number): TensorStorage {
  switch (dtype) {
    case 'float32': case 'float16': case 'float64': return new Float32Array(n);
    case 'int8': case 'int4': return new Int8Array(n);
    case 'uint8': case 'uint4': case 'bool': return new Uint8Array(n);
    case 'int16': case 'int32': return new Int32Array(n);
    case 'uint16': case 'uint32': return new Uint32Array(n);
    case 'int64': case 'uint64': return new BigInt64Array(n);
    case 'string': throw new Error('string tensors are not supported');
  }
}

/** Whether the dtype is stored as floating point in the IR. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'float64';
}
