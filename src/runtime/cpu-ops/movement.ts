/** CPU data-movement ops for constant folding: reshapes, Transpose, Concat, Gather, Slice, Expand. */
import { attrInt, attrInts, type TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { sliceParams } from '../shapes/slice-pad.ts';
import { broadcastStrides, stridedOffsets, stridesOf, take } from './tensor.ts';

/** Reshape, Flatten, Squeeze, Unsqueeze, Identity: the same elements under the output dims. */
export function sameData(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'input');
  return [{ dtype: x.dtype, dims: out.shape, data: x.data.slice() }];
}

export function transposeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'input');
  const s = stridesOf(x.dims);
  const perm = attrInts(c.node, 'perm', [...x.dims.keys()].reverse());
  return [{ dtype: x.dtype, dims: out.shape, data: take(x.data, stridedOffsets(out.shape, perm.map((p) => s[p]))) }];
}

export function expandOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'input');
  return [{ dtype: x.dtype, dims: out.shape, data: take(x.data, stridedOffsets(out.shape, broadcastStrides(x.dims, out.shape))) }];
}

export function sliceOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'data');
  const p = sliceParams(c);
  const s = stridesOf(x.dims);
  const base = p.starts.reduce((acc, st, k) => acc + st * s[k], 0);
  return [{ dtype: x.dtype, dims: out.shape, data: take(x.data, stridedOffsets(out.shape, s.map((v, k) => v * p.steps[k]), base)) }];
}

/** Concat: copies each input's rows of (outer, axis x inner) blocks into place. */
export function concatOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const xs = c.node.inputs.map((_, i) => c.value(i, `input ${i}`));
  const r = out.shape.length;
  const axis = attrInt(c.node, 'axis', 0) < 0 ? attrInt(c.node, 'axis', 0) + r : attrInt(c.node, 'axis', 0);
  const outer = out.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = out.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const Ctor = xs[0].data.constructor as new (n: number) => TensorData['data'];
  const data = new Ctor(outer * out.shape[axis] * inner);
  const row = out.shape[axis] * inner;
  let at = 0;
  for (const x of xs) {
    const w = x.dims[axis] * inner;
    for (let o = 0; o < outer; o++) {
      (data as Float32Array).set((x.data as Float32Array).subarray(o * w, (o + 1) * w), o * row + at);
    }
    at += w;
  }
  return [{ dtype: out.dtype, dims: out.shape, data }];
}

/** Gather along `axis`; negative indices count from the end, out-of-range ones are an error. */
export function gatherOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'data');
  const idx = Array.from(c.value(1, 'indices').data as ArrayLike<number | bigint>, Number);
  const r = x.dims.length;
  const axis = attrInt(c.node, 'axis', 0) < 0 ? attrInt(c.node, 'axis', 0) + r : attrInt(c.node, 'axis', 0);
  const dim = x.dims[axis];
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const offsets = new Int32Array(outer * idx.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const i0 of idx) {
      const i = i0 < 0 ? i0 + dim : i0;
      if (i < 0 || i >= dim) c.fail(`index ${i0} is out of range for axis ${axis} of size ${dim}`);
      for (let j = 0; j < inner; j++) offsets[k++] = (o * dim + i) * inner + j;
    }
  }
  return [{ dtype: x.dtype, dims: out.shape, data: take(x.data, offsets) }];
}
