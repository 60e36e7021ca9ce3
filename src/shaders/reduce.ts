import opCode from './reduce.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { checkRank, rowMajorStrides, sizeOf, slotFields } from './slice.ts';

export type ReduceOp = 'mean' | 'sum' | 'max' | 'min';
const OP: Record<ReduceOp, number> = { mean: 0, sum: 1, max: 2, min: 3 };

export interface ReduceParams {
  op: ReduceOp;
  /** Axes to reduce (negative count from the end); empty = all (ONNX noop_with_empty_axes = 0). */
  axes: number[];
  keepDims?: boolean;
}

export function reduceShape(shape: readonly number[], p: ReduceParams): number[] {
  const axes = normAxes(shape, p.axes);
  if (p.keepDims ?? true) return shape.map((d, i) => (axes.has(i) ? 1 : d));
  return shape.filter((_, i) => !axes.has(i));
}

function normAxes(shape: readonly number[], axes: readonly number[]): Set<number> {
  if (axes.length === 0) return new Set(shape.map((_, i) => i));
  return new Set(axes.map((a) => {
    const n = a < 0 ? a + shape.length : a;
    if (n < 0 || n >= shape.length) throw new Error(`Reduce: axis ${a} out of range for shape [${shape}]`);
    return n;
  }));
}

/** Reduction of a row-major f32 tensor; the output is row-major in `reduceShape`. Bindings: input, output, u. */
export function reduceKernel(shape: readonly number[], p: ReduceParams): KernelSpec {
  checkRank('Reduce', shape);
  const axes = normAxes(shape, p.axes);
  const strides = rowMajorStrides(shape);
  const kept = shape.map((_, i) => i).filter((i) => !axes.has(i));
  const red = [...axes].sort((a, b) => a - b);
  const n = sizeOf(kept.map((i) => shape[i]));
  const count = sizeOf(red.map((i) => shape[i]));
  if (count === 0) throw new Error(`Reduce: empty reduction over axes [${red}] of [${shape}]`);
  const WG = 64;
  return gridKernel({
    name: `reduce_${p.op}`, family: 'reduce', params: { op: p.op }, code: `${opCode}\n${nanCode}`, constants: { OP: OP[p.op] }, WG, count: n,
    uniforms: packUniforms([
      ...slotFields('u32', kept.map((i) => shape[i]), 1),
      ...slotFields('u32', kept.map((i) => strides[i]), 0),
      ...slotFields('u32', red.map((i) => shape[i]), 1),
      ...slotFields('u32', red.map((i) => strides[i]), 0),
      ['u32', n], ['u32', count],
    ]),
  });
}
