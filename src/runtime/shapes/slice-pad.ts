/** Shape rules of Slice and Pad, with their parameter resolution shared with the CPU implementations. */
import { attrInts, attrString } from '../ir.ts';
import type { InferCtx, TensorInfo } from './context.ts';

/** A resolved Slice: per input axis, the first index, the step and the output length. */
export interface SliceParams {
  starts: number[];
  steps: number[];
  shape: number[];
}

/**
 * Slice parameters from inputs (opset 10+: starts, ends, axes, steps) or attributes (older exports).
 * Negative starts/ends count from the end; values are clamped as the ONNX spec says (INT64_MAX means "to the end").
 */
export function sliceParams(c: InferCtx): SliceParams {
  const x = c.in(0).shape;
  const r = x.length;
  const fromInputs = c.has(1);
  const starts = fromInputs ? c.needInts(1, 'starts') : attrInts(c.node, 'starts', []);
  const ends = fromInputs ? c.needInts(2, 'ends') : attrInts(c.node, 'ends', []);
  const axes = (fromInputs ? c.ints(3, 'axes') : c.node.attrs.axes && attrInts(c.node, 'axes', [])) ||
    starts.map((_, i) => i);
  const steps = (fromInputs ? c.ints(4, 'steps') : undefined) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    c.fail(`starts [${starts}], ends [${ends}], axes [${axes}] and steps [${steps}] differ in length`);
  }
  const p: SliceParams = { starts: Array(r).fill(0), steps: Array(r).fill(1), shape: [...x] };
  const seen = new Set<number>();
  axes.forEach((a0, i) => {
    const a = c.axis(a0, r);
    if (seen.has(a)) c.fail(`axis ${a} is sliced twice`);
    seen.add(a);
    const dim = x[a];
    const step = steps[i];
    if (step === 0 || !Number.isFinite(step)) c.fail(`step ${step} on axis ${a}`);
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    let s = starts[i] < 0 ? starts[i] + dim : starts[i];
    let e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      s = clamp(s, 0, dim);
      e = clamp(e, 0, dim);
    } else {
      s = clamp(s, 0, dim - 1);
      e = clamp(e, -1, dim - 1);
    }
    p.starts[a] = s;
    p.steps[a] = step;
    p.shape[a] = Math.max(0, Math.ceil((e - s) / step));
  });
  return p;
}

export function slice(c: InferCtx): TensorInfo[] {
  return [{ dtype: c.in(0).dtype, shape: sliceParams(c).shape }];
}

/** A resolved Pad: pads in ONNX order [begin_0.., end_0..] over all axes, the mode and the constant value. */
export interface PadParams {
  pads: number[];
  mode: string;
  value: number;
}

/** Pad parameters from inputs (opset 11+: pads, constant_value, axes (18+)) or attributes (pads, value). */
export function padParams(c: InferCtx): PadParams {
  const r = c.in(0).shape.length;
  const mode = attrString(c.node, 'mode', 'constant');
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) c.fail(`unknown mode '${mode}'`);
  let value = 0;
  let given: number[];
  if (c.has(1)) {
    given = c.ints(1, 'pads')!;
    if (c.has(2)) value = c.ints(2, 'constant_value')![0] ?? 0;
  } else {
    given = attrInts(c.node, 'pads', []);
    value = c.node.attrs.value?.type === 'float' ? c.node.attrs.value.value : 0;
  }
  const axes = (c.has(3) ? c.ints(3, 'axes')! : [...Array(r).keys()]).map((a) => c.axis(a, r));
  if (given.length !== 2 * axes.length) c.fail(`pads [${given}] must have ${2 * axes.length} values`);
  const pads = Array(2 * r).fill(0);
  axes.forEach((a, i) => {
    pads[a] = given[i];
    pads[a + r] = given[i + axes.length];
  });
  return { pads, mode, value };
}

export function pad(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const { pads } = padParams(c);
  const r = x.shape.length;
  const shape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  if (shape.some((d) => d < 0)) c.fail(`pads [${pads}] crop more than the input has`);
  return [{ dtype: x.dtype, shape }];
}
