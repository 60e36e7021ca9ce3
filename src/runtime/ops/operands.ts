/**
 * Operands of layout-agnostic ops (elementwise, concat, slice...): activations or constants, mapped into the
 * layout the op runs in. A 4-D NHWC value is seen by such kernels as its stored [N,H,W,C] array; ONNX axes map
 * through `NHWC_AXIS`.
 */
import { type Node, ModelError } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import type { Layout, RtValue } from '../plan/types.ts';
import { dequantizeConst } from './constants.ts';

/** Stored axis of ONNX axis a for a 4-D NHWC value: N->0, C->3, H->1, W->2. */
export const NHWC_AXIS = [0, 3, 1, 2];

export function dimsOf(ctx: PlanContext, name: string, node?: Node): number[] {
  const info = ctx.graph.valueInfo.get(name);
  if (!info || info.shape.some((d) => typeof d !== 'number')) {
    throw new ModelError(`shape of '${name}' is unknown`, node?.name, node?.opType);
  }
  return info.shape as number[];
}

/** ONNX axis (negative allowed) -> axis of the stored array. */
export function storedAxis(axis: number, rank: number, layout: Layout): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return layout === 'nhwc' && rank === 4 ? NHWC_AXIS[a] : a;
}

/** Right-aligns `dims` to rank 4 and permutes to NHWC order. */
export function toNhwcDims(dims: number[]): number[] {
  const d = [...Array(4 - dims.length).fill(1), ...dims];
  return [d[0], d[2], d[3], d[1]];
}

/** True if right-aligning `dims` to 4-D and reordering to NHWC keeps the element order (no data movement). */
export function nhwcCompatible(dims: number[]): boolean {
  if (dims.length > 4) return false;
  const d = [...Array(4 - dims.length).fill(1), ...dims];
  return d[1] === 1 || (d[2] === 1 && d[3] === 1);
}

/** Host data in NCHW order (right-aligned to 4-D) -> NHWC order. */
export function permuteToNhwc(data: Float32Array, dims: number[]): Float32Array {
  const [n, c, h, w] = [...Array(4 - dims.length).fill(1), ...dims];
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((i * h + y) * w + x) * c + k] = data[((i * c + k) * h + y) * w + x];
  }
  return out;
}

export type Operand = { kind: 'value'; v: RtValue } | { kind: 'const'; data: Float32Array; dims: number[] };

export function operand(ctx: PlanContext, name: string, node: Node): Operand {
  const t = ctx.initializer(name);
  if (t) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number | bigint>, Number);
    return { kind: 'const', data, dims: t.dims };
  }
  const q = ctx.quantizedConsts.get(name);
  if (q) return { kind: 'const', data: dequantizeConst(q), dims: q.dims };
  return { kind: 'value', v: ctx.value(name, node) };
}
