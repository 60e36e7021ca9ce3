/**
 * The strided word copy (slice.wgsl) and the ONNX Slice op on it, plus the shape helpers that every
 * data-movement builder shares. Element types:
 *  - 'f32' (also any 32-bit type): one element per word;
 *  - 'i8x4': packed int8 activations, the last axis is channels padded to a multiple of 4, four per u32.
 *    Packed tensors move in whole words, so the channel axis may only be cut at multiples of 4.
 */
import code from './slice.wgsl?raw';
import { type KernelSpec, type UniformField, ceilDiv, gridKernel, packUniforms } from './kernel.ts';

export const MAX_RANK = 6;
export type Elem = 'f32' | 'i8x4';

/** Row-major strides (in elements) of `shape`. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The shape in 32-bit words: packed int8 stores the last axis as ceil(C/4) words. */
export function wordShape(shape: readonly number[], elem: Elem): number[] {
  if (elem === 'f32' || shape.length === 0) return [...shape];
  return [...shape.slice(0, -1), ceilDiv(shape[shape.length - 1], 4)];
}

/** Pads a per-dimension list to the 8 slots of two vec4 uniforms. */
export function slots8(xs: readonly number[], fill: number): number[] {
  return [...xs, ...new Array<number>(8 - xs.length).fill(fill)];
}

/** `slots8` as uniform fields of one type (a `array<vec4u, 2>` or `array<vec4i, 2>` member). */
export function slotFields(type: 'u32' | 'i32', xs: readonly number[], fill: number): UniformField[] {
  return slots8(xs, fill).map((v): UniformField => [type, v]);
}

export function checkRank(op: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK) throw new Error(`${op}: rank ${shape.length} > ${MAX_RANK} is not supported (shape [${shape}])`);
}

/** A copy of the index space `shape` between two strided views of word buffers. */
export interface StridedCopy {
  shape: number[];
  srcStrides: number[];
  dstStrides: number[];
  srcOffset: number;
  dstOffset: number;
}

/** Bindings: input (u32 words), output (u32 words), u. */
export function stridedCopyKernel(copy: StridedCopy, label = 'strided_copy'): KernelSpec {
  checkRank(label, copy.shape);
  const WG = 256;
  const n = sizeOf(copy.shape);
  return gridKernel({
    name: label, family: 'strided_copy', params: {}, code, WG, count: n,
    uniforms: packUniforms([
      ...slotFields('u32', copy.shape, 1),
      ...slotFields('i32', copy.srcStrides, 0),
      ...slotFields('i32', copy.dstStrides, 0),
      ['u32', n], ['i32', copy.srcOffset], ['i32', copy.dstOffset],
    ]),
  });
}

export interface SliceParams {
  starts: number[];
  ends: number[];
  /** Default: 0..starts.length-1. Negative axes count from the end. */
  axes?: number[];
  /** Default: all 1. Negative steps walk backwards. */
  steps?: number[];
}

/** Per-axis start, step and length after ONNX clamping rules. */
export function sliceRanges(shape: readonly number[], p: SliceParams): { start: number; step: number; len: number }[] {
  const r = shape.map((dim) => ({ start: 0, step: 1, len: dim }));
  p.starts.forEach((s0, i) => {
    const axis = (p.axes?.[i] ?? i) < 0 ? (p.axes?.[i] ?? i) + shape.length : (p.axes?.[i] ?? i);
    const dim = shape[axis];
    const step = p.steps?.[i] ?? 1;
    if (dim === undefined) throw new Error(`Slice: axis ${p.axes?.[i]} out of range for shape [${shape}]`);
    if (step === 0) throw new Error(`Slice: step 0 on axis ${axis}`);
    const norm = (v: number): number => (v < 0 ? v + dim : v);
    let start = norm(s0);
    let end = norm(p.ends[i]);
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    r[axis] = { start, step, len: Math.max(0, Math.ceil((end - start) / step)) };
  });
  return r;
}

export function sliceShape(shape: readonly number[], p: SliceParams): number[] {
  return sliceRanges(shape, p).map((r) => r.len);
}

/**
 * ONNX Slice as one strided copy. For 'i8x4' the channel (last) axis may only be sliced with step 1, a start
 * that is a multiple of 4 and a length that is a multiple of 4 or reaches the end.
 */
export function sliceKernel(shape: readonly number[], p: SliceParams, elem: Elem = 'f32'): KernelSpec {
  checkRank('Slice', shape);
  const ranges = sliceRanges(shape, p);
  const last = shape.length - 1;
  if (elem === 'i8x4') {
    const c = ranges[last];
    if (c.len !== shape[last] && (c.step !== 1 || c.start % 4 || (c.len % 4 && c.start + c.len !== shape[last]))) {
      throw new Error(`Slice: packed int8 channels [${shape[last]}] can only be cut at multiples of 4 with step 1 (start ${c.start}, len ${c.len}, step ${c.step})`);
    }
    ranges[last] = { start: c.start / 4, step: 1, len: ceilDiv(c.len, 4) };
  }
  const inStrides = rowMajorStrides(wordShape(shape, elem));
  const outShape = ranges.map((r) => r.len);
  return stridedCopyKernel({
    shape: outShape,
    srcStrides: ranges.map((r, d) => r.step * inStrides[d]),
    dstStrides: rowMajorStrides(outShape),
    srcOffset: ranges.reduce((acc, r, d) => acc + r.start * inStrides[d], 0),
    dstOffset: 0,
  }, 'slice');
}
