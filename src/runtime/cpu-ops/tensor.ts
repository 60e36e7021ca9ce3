/**
 * Small host-tensor helpers for the CPU ops that fold constants: reading elements as numbers, writing numbers
 * into a dtype's storage, and strided gathers (which express broadcast, transpose and slice alike).
 */
import type { DType, TensorData, TensorStorage } from '../ir.ts';
import { allocStorage } from '../onnx/dtypes.ts';

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

/** Elements as JS numbers (int64 beyond 2^53 loses precision, which shape arithmetic never needs). */
export function toNumbers(t: TensorData): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** A tensor of `dtype` from numbers: ints truncate toward zero (and wrap like C casts), int64 saturates, bool is != 0. */
export function fromNumbers(dtype: DType, dims: number[], values: ArrayLike<number>): TensorData {
  const data = allocStorage(dtype, values.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      data[i] = v >= 2 ** 63 ? I64_MAX : v < -(2 ** 63) ? I64_MIN : BigInt(Math.trunc(v) || 0);
    }
  } else if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
  } else if (data instanceof Float32Array) {
    data.set(values);
  } else {
    for (let i = 0; i < values.length; i++) data[i] = Math.trunc(values[i]) || 0;
  }
  return { dtype, dims, data };
}

/** Row-major strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** For each element of `outDims` (row-major), `base + sum(index_k * strides_k)`. */
export function stridedOffsets(outDims: readonly number[], strides: readonly number[], base = 0): Int32Array {
  const n = outDims.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const idx = Array(outDims.length).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    // Odometer increment from the last dim.
    for (let k = outDims.length - 1; k >= 0; k--) {
      idx[k]++;
      off += strides[k];
      if (idx[k] < outDims[k]) break;
      off -= idx[k] * strides[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Strides that read a tensor of `inDims` broadcast to `outDims` (0 along broadcast dims). */
export function broadcastStrides(inDims: readonly number[], outDims: readonly number[]): number[] {
  const s = stridesOf(inDims);
  const lead = outDims.length - inDims.length;
  return outDims.map((_, k) => (k < lead || inDims[k - lead] === 1 ? 0 : s[k - lead]));
}

/** A new storage of the same kind as `data`, holding data[offsets[i]]. */
export function take(data: TensorStorage, offsets: Int32Array): TensorStorage {
  const Ctor = data.constructor as new (n: number) => TensorStorage;
  const out = new Ctor(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = data[offsets[i]];
  return out;
}
