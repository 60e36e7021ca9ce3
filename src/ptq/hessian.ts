/**
 * The layer-input Hessian GPTQ needs, H = X^T X, accumulated from a Conv or Gemm input tensor.
 *
 * Conv [O, I/g, kh, kw]: a row of X is the im2col patch one output position reads, per group; column index
 * (i * kh + u) * kw + v matches the flattened weight row, so H is [I/g*kh*kw]^2 per group (a depthwise conv has
 * one kh*kw Hessian per channel). Zero padding contributes zeros, as in the conv itself.
 * Gemm / MatMul [.., K]: a row of X is one input row, H is [K, K].
 *
 * Cost is rows x cols^2 / 2 multiply-adds; output positions are subsampled (evenly, same positions in every
 * image) to at most `budget / (cols^2 / 2)` rows per batch, at least `minRows` (default 4 x cols), so that a 64-channel 3x3 conv on 200
 * CIFAR images stays around a second on one core. The budget is per batch, so a caller with many small batches
 * (detectors: one image a batch) divides its total and the floor by the batch count (learn.ts). Only the upper triangle is
 * accumulated, mirrored at the end.
 */
import { attrInt, attrInts, attrString, type Node } from '../runtime/ir.ts';
import type { Tensors } from './source.ts';

type Float = Tensors[string];

/** A running Hessian per group of a layer. */
export interface LayerHessian {
  groups: number;
  /** Columns of one group's weight row (I/g * kh * kw, or K). */
  cols: number;
  /** One [cols, cols] matrix per group (upper triangle until `finish`). */
  h: Float64Array[];
  rows: number;
  /** With a float input: C = X^T X_f per group ([cols, cols], full) and the column sums of X and of X_f. */
  float?: { cross: Float64Array[]; sum: Float64Array[]; sumFloat: Float64Array[] };
}

export function newHessian(groups: number, cols: number, withFloat = false): LayerHessian {
  const mats = (size: number): Float64Array[] => Array.from({ length: groups }, () => new Float64Array(size));
  return { groups, cols, h: mats(cols * cols), rows: 0, float: withFloat ? { cross: mats(cols * cols), sum: mats(cols), sumFloat: mats(cols) } : undefined };
}

/** Adds x xf^T (full) and both rows to the column sums. */
function addCross(lh: LayerHessian, g: number, x: Float64Array, xf: Float64Array, n: number): void {
  const { cross, sum, sumFloat } = lh.float!;
  const c = cross[g];
  for (let i = 0; i < n; i++) {
    sum[g][i] += x[i];
    sumFloat[g][i] += xf[i];
    const xi = x[i];
    if (xi === 0) continue;
    const base = i * n;
    for (let j = 0; j < n; j++) c[base + j] += xi * xf[j];
  }
}

/** Adds x x^T (upper triangle) for one row. */
function addRow(h: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const base = i * n;
    for (let j = i; j < n; j++) h[base + j] += xi * x[j];
  }
}

/** Mirrors the upper triangles to full symmetric matrices; call once, after the last batch. */
export function finishHessian(lh: LayerHessian): LayerHessian {
  const n = lh.cols;
  for (const h of lh.h) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) h[j * n + i] = h[i * n + j];
  return lh;
}

/** Default budget of accumulated multiply-adds per batch and layer (see the module comment). */
export const HESSIAN_BUDGET = 2e8;

/**
 * Accumulates one batch of a Conv's input [N, C, H, W] into `lh` (groups and columns from the conv's weight dims),
 * subsampling output positions to about `budget` multiply-adds.
 */
export function accumulateConv(lh: LayerHessian, node: Node, wDims: number[], x: Float, budget = HESSIAN_BUDGET, minRows?: number, xf?: Float): void {
  if (attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new Error(`hessian: Conv '${node.name}' uses auto_pad, which GPTQ does not handle (explicit pads only)`);
  if (x.dims.length !== 4 || wDims.length !== 4) throw new Error(`hessian: Conv '${node.name}' is not 2-D (input [${x.dims}], weight [${wDims}])`);
  const [n, c, ih, iw] = x.dims;
  const [, ipg, kh, kw] = wDims;
  const group = attrInt(node, 'group', 1);
  if (ipg * group !== c) throw new Error(`hessian: Conv '${node.name}' input has ${c} channels, weight expects ${ipg} x ${group} groups`);
  const [sh, sw] = attrInts(node, 'strides', [1, 1]);
  const [dh, dw] = attrInts(node, 'dilations', [1, 1]);
  const [pt, pl, pb, pr] = attrInts(node, 'pads', [0, 0, 0, 0]);
  const oh = Math.floor((ih + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((iw + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const cols = ipg * kh * kw;
  if (xf && xf.data.length !== x.data.length) throw new Error(`hessian: Conv '${node.name}' float input [${xf.dims}] differs from its input [${x.dims}]`);
  if (xf && !lh.float) throw new Error(`hessian: Conv '${node.name}': a float input needs newHessian(..., true)`);
  const positions = n * oh * ow;
  const maxRows = Math.max(minRows ?? 4 * cols, Math.floor(budget / (group * cols * cols / 2)));
  const step = Math.max(1, positions / maxRows);
  const patch = new Float64Array(cols);
  const patchFloat = new Float64Array(cols);
  const d = x.data;
  for (let f = 0; f < positions; f += step) {
    const p = Math.floor(f);
    const b = Math.floor(p / (oh * ow));
    const oy = Math.floor(p / ow) % oh;
    const ox = p % ow;
    for (let g = 0; g < group; g++) {
      for (let i = 0; i < ipg; i++) {
        const plane = (b * c + g * ipg + i) * ih * iw;
        for (let u = 0; u < kh; u++) {
          const y = oy * sh - pt + u * dh;
          for (let v = 0; v < kw; v++) {
            const xx = ox * sw - pl + v * dw;
            const inside = y >= 0 && y < ih && xx >= 0 && xx < iw;
            patch[(i * kh + u) * kw + v] = inside ? d[plane + y * iw + xx] : 0;
            if (xf) patchFloat[(i * kh + u) * kw + v] = inside ? xf.data[plane + y * iw + xx] : 0;
          }
        }
      }
      addRow(lh.h[g], patch, cols);
      if (xf) addCross(lh, g, patch, patchFloat, cols);
    }
    lh.rows++;
  }
}

/** Accumulates one batch of a Gemm / MatMul input (rows of length K = lh.cols). */
export function accumulateRows(lh: LayerHessian, x: Float, xf?: Float): void {
  const k = lh.cols;
  if (x.dims[x.dims.length - 1] !== k) throw new Error(`hessian: input [${x.dims}] does not end in K = ${k}`);
  if (xf && (xf.data.length !== x.data.length || !lh.float)) throw new Error(`hessian: float input [${xf.dims}] does not match [${x.dims}] (or newHessian without float)`);
  const row = new Float64Array(k);
  const rowFloat = new Float64Array(k);
  for (let r = 0; r < x.data.length / k; r++) {
    for (let i = 0; i < k; i++) row[i] = x.data[r * k + i];
    addRow(lh.h[0], row, k);
    if (xf) {
      for (let i = 0; i < k; i++) rowFloat[i] = xf.data[r * k + i];
      addCross(lh, 0, row, rowFloat, k);
    }
    lh.rows++;
  }
}
