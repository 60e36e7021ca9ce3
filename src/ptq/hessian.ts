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

/** A running Hessian per group of a layer. */
export interface LayerHessian {
  groups: number;
  /** Columns of one group's weight row (I/g * kh * kw, or K). */
  cols: number;
  /** One [cols, cols] matrix per group (upper triangle until `finish`). */
  h: Float64Array[];
  rows: number;
}

export function newHessian(groups: number, cols: number): LayerHessian {
  return { groups, cols, h: Array.from({ length: groups }, () => new Float64Array(cols * cols)), rows: 0 };
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
export function accumulateConv(lh: LayerHessian, node: Node, wDims: number[], x: { dims: number[]; data: Float32Array }, budget = HESSIAN_BUDGET, minRows?: number): void {
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
  const positions = n * oh * ow;
  const maxRows = Math.max(minRows ?? 4 * cols, Math.floor(budget / (group * cols * cols / 2)));
  const step = Math.max(1, positions / maxRows);
  const patch = new Float64Array(cols);
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
            patch[(i * kh + u) * kw + v] = y >= 0 && y < ih && xx >= 0 && xx < iw ? d[plane + y * iw + xx] : 0;
          }
        }
      }
      addRow(lh.h[g], patch, cols);
    }
    lh.rows++;
  }
}

/** Accumulates one batch of a Gemm / MatMul input (rows of length K = lh.cols). */
export function accumulateRows(lh: LayerHessian, x: { dims: number[]; data: Float32Array }): void {
  const k = lh.cols;
  if (x.dims[x.dims.length - 1] !== k) throw new Error(`hessian: input [${x.dims}] does not end in K = ${k}`);
  const row = new Float64Array(k);
  for (let r = 0; r < x.data.length / k; r++) {
    for (let i = 0; i < k; i++) row[i] = x.data[r * k + i];
    addRow(lh.h[0], row, k);
    lh.rows++;
  }
}
