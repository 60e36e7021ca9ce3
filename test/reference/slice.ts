/** References of the data-movement ops built on the strided copy: Slice, Transpose, Concat, Split. */
import { flatIndex, forEachIndex } from './ops.ts';

/** The input indices ONNX Slice visits along each axis (walking start, start+step, ... before end). */
export function sliceIndicesRef(shape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): number[][] {
  const per = shape.map((d) => Array.from({ length: d }, (_, i) => i));
  starts.forEach((s, k) => {
    const axis = ((axes?.[k] ?? k) + shape.length) % shape.length;
    const dim = shape[axis];
    const step = steps?.[k] ?? 1;
    const fix = (v: number): number => (v < 0 ? v + dim : v);
    const list: number[] = [];
    if (step > 0) {
      for (let i = Math.max(fix(s), 0); i < Math.min(fix(ends[k]), dim); i += step) list.push(i);
    } else {
      for (let i = Math.min(fix(s), dim - 1); i > Math.max(fix(ends[k]), -1); i += step) list.push(i);
    }
    per[axis] = list;
  });
  return per;
}

export function sliceRef(x: ArrayLike<number>, shape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): { data: number[]; shape: number[] } {
  const per = sliceIndicesRef(shape, starts, ends, axes, steps);
  const outShape = per.map((l) => l.length);
  const data: number[] = [];
  forEachIndex(outShape, (idx) => data.push(x[flatIndex(idx.map((v, d) => per[d][v]), shape)]));
  return { data, shape: outShape };
}

export function transposeRef(x: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const data: number[] = [];
  forEachIndex(outShape, (idx) => {
    const src = shape.map(() => 0);
    perm.forEach((p, i) => { src[p] = idx[i]; });
    data.push(x[flatIndex(src, shape)]);
  });
  return data;
}

export function concatRef(xs: ArrayLike<number>[], shapes: number[][], axis: number): number[] {
  const outShape = [...shapes[0]];
  outShape[axis] = shapes.reduce((a, s) => a + s[axis], 0);
  const data: number[] = [];
  forEachIndex(outShape, (idx) => {
    let j = idx[axis];
    let k = 0;
    while (j >= shapes[k][axis]) j -= shapes[k++][axis];
    const src = [...idx];
    src[axis] = j;
    data.push(xs[k][flatIndex(src, shapes[k])]);
  });
  return data;
}

export function splitRef(x: ArrayLike<number>, shape: number[], axis: number, sizes: number[]): number[][] {
  let start = 0;
  return sizes.map((s) => {
    const r = sliceRef(x, shape, [start], [start + s], [axis]).data;
    start += s;
    return r;
  });
}

/** numpy.pad with mode constant / reflect / edge. */
export function padRef(x: ArrayLike<number>, shape: number[], pads: number[], mode: 'constant' | 'reflect' | 'edge', value = 0): number[] {
  const r = shape.length;
  const outShape = shape.map((d, i) => d + pads[i] + pads[i + r]);
  const data: number[] = [];
  forEachIndex(outShape, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < r; d++) {
      let c = idx[d] - pads[d];
      const n = shape[d];
      if (c < 0 || c >= n) {
        if (mode === 'constant') { data.push(value); return; }
        if (mode === 'edge') c = Math.min(Math.max(c, 0), n - 1);
        else while (c < 0 || c >= n) c = n === 1 ? 0 : c < 0 ? -c : 2 * (n - 1) - c;
      }
      src.push(c);
    }
    data.push(x[flatIndex(src, shape)]);
  });
  return data;
}
