/**
 * Shape rules of sliding-window ops (Conv, MaxPool, AveragePool, GlobalAveragePool) and `resolveWindow`, which
 * turns ONNX's auto_pad / pads / strides / dilations attributes into explicit numbers (also for the planner).
 */
import { attrInt, attrInts, attrString, type Node } from '../ir.ts';
import type { InferCtx, TensorInfo } from './context.ts';

/** Explicit geometry of one window op over `spatial` input dims. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX order: [begin_0 .. begin_{n-1}, end_0 .. end_{n-1}] (for 2-D: top, left, bottom, right). */
  pads: number[];
  /** Output spatial dims. */
  out: number[];
}

/**
 * Resolves the window of `node` over input spatial dims `spatial` with kernel `kernel`.
 * SAME_UPPER/SAME_LOWER: out = ceil(in / stride), the odd pad goes at the end (UPPER) or the beginning (LOWER).
 * ceil_mode (pools): out = ceil(...) + 1, dropping a last window that would start inside the end padding
 * (the rule of ONNX opset 19+ and PyTorch).
 */
export function resolveWindow(node: Node, spatial: number[], kernel: number[], fail: (m: string) => never): Window {
  const n = spatial.length;
  const strides = attrInts(node, 'strides', Array(n).fill(1));
  const dilations = attrInts(node, 'dilations', Array(n).fill(1));
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  let pads = attrInts(node, 'pads', Array(2 * n).fill(0));
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n || kernel.length !== n) {
    fail(`strides [${strides}], dilations [${dilations}], pads [${pads}] or kernel [${kernel}] do not fit ${n} spatial dims`);
  }
  if ([...strides, ...dilations, ...kernel].some((v) => !(v >= 1))) {
    fail(`kernel [${kernel}], strides [${strides}] and dilations [${dilations}] must be >= 1`);
  }
  if (pads.some((p) => p < 0)) fail(`pads [${pads}] must be >= 0`);
  const ek = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  const out: number[] = [];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      out.push(Math.ceil(spatial[i] / strides[i]));
      const total = Math.max(0, (out[i] - 1) * strides[i] + ek[i] - spatial[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
    }
  } else if (autoPad === 'VALID' || autoPad === 'NOTSET') {
    if (autoPad === 'VALID') pads = Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const span = spatial[i] + pads[i] + pads[i + n] - ek[i];
      let o = (ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
      if (ceil && (o - 1) * strides[i] >= spatial[i] + pads[i]) o--;
      out.push(o);
    }
  } else {
    fail(`unknown auto_pad '${autoPad}'`);
  }
  if (out.some((o) => o < 1)) fail(`output spatial size [${out}] is empty (input [${spatial}], kernel [${kernel}])`);
  return { kernel, strides, dilations, pads, out };
}

/** Conv: X [N, C, ...spatial], W [M, C/group, ...kernel], optional B [M] -> [N, M, ...out]. */
export function conv(c: InferCtx): TensorInfo[] {
  const x = c.in(0).shape;
  const w = c.in(1).shape;
  if (x.length < 3 || w.length !== x.length) c.fail(`X [${x}] and W [${w}] need the same rank >= 3`);
  const group = attrInt(c.node, 'group', 1);
  if (x[1] !== w[1] * group) c.fail(`X has ${x[1]} channels, W expects ${w[1]} x group ${group}`);
  if (w[0] % group) c.fail(`${w[0]} output channels are not divisible by group ${group}`);
  const kernel = w.slice(2);
  const ks = attrInts(c.node, 'kernel_shape', kernel);
  if (ks.join() !== kernel.join()) c.fail(`kernel_shape [${ks}] differs from W's [${kernel}]`);
  if (c.has(2) && c.in(2).shape.join() !== String(w[0])) c.fail(`B must have shape [${w[0]}], got [${c.in(2).shape}]`);
  const win = resolveWindow(c.node, x.slice(2), kernel, (m) => c.fail(m));
  return [{ dtype: c.in(0).dtype, shape: [x[0], w[0], ...win.out] }];
}

/** MaxPool / AveragePool: [N, C, ...spatial] -> [N, C, ...out]; MaxPool's optional Indices output is int64. */
export function pool(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  if (x.shape.length < 3) c.fail(`X must have rank >= 3, got [${x.shape}]`);
  const kernel = attrInts(c.node, 'kernel_shape', []);
  const win = resolveWindow(c.node, x.shape.slice(2), kernel, (m) => c.fail(m));
  const shape = [x.shape[0], x.shape[1], ...win.out];
  const outs: TensorInfo[] = [{ dtype: x.dtype, shape }];
  if (c.node.outputs.length > 1) outs.push({ dtype: 'int64', shape: [...shape] });
  return outs;
}

/** GlobalAveragePool: [N, C, ...spatial] -> [N, C, 1, ...]. */
export function globalPool(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  if (x.shape.length < 3) c.fail(`X must have rank >= 3, got [${x.shape}]`);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
}
