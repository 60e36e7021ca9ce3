/**
 * Analytic global-memory traffic of the integer conv tilings: useful multiply-accumulates per byte loaded from
 * global memory, counted as the tiling asks for it (no cache assumed). It is the arithmetic intensity a GPU
 * kernel needs to keep its ALUs busy (onnxruntime-web's dp4a matmul: about 32 MAC per byte).
 *
 * - `smem`: each workgroup loads its BM pixels x 4 * bk bytes and its BN channels' weights once per stage;
 *   pixels past M and weights past the tap's window or past OC are not loaded, input words past the window are.
 * - `reg` / `fma` / depthwise: each invocation loads its own pixels' words and its blocks' weights (a vec4 per
 *   reduction word and block), nothing shared.
 */
import type { ConvShape } from './conv-shape.ts';
import { ceilDiv } from './kernel.ts';
import { type IntTile, intConvGeometry } from './conv2d_int_common.ts';

/** Useful MACs of `s` (input channels per group x taps x outputs). */
const usefulMacs = (s: ConvShape, m: number): number => m * s.cout * (s.cin / s.groups) * s.kh * s.kw;

/** Analytic MAC per global byte of `tile` on `s` (see the file comment). `depthwise`: the row-tiled dw kernel. */
export function intMacPerByte(tile: IntTile, s: ConvShape, depthwise = false): number {
  const g = intConvGeometry(s);
  const taps = s.kh * s.kw;
  if (depthwise) {
    // One invocation: a row of tm pixels, one block: taps weight words + (rows x overlapping columns) input words.
    const cols = (tile.tm - 1) * s.strideW + (s.kw - 1) * s.dilationW + 1;
    const perInv = 4 * (taps + s.kh * Math.min(cols, tile.tm * s.kw));
    const invocations = s.n * g.outH * ceilDiv(g.outW, tile.tm) * g.oc4;
    return usefulMacs(s, g.m) / (invocations * perInv);
  }
  if (tile.family === 'smem') {
    const bm = (4 * tile.wg) / tile.wgn;
    const bn4 = tile.tn4 * tile.wgn;
    const stagedWords = taps * ceilDiv(g.kwin, tile.bk) * tile.bk;
    const bytesA = ceilDiv(g.oc4, bn4) * g.m * stagedWords * 4;
    const bytesB = ceilDiv(g.m, bm) * g.oc4 * 16 * taps * g.kwin;
    return usefulMacs(s, g.m) / (bytesA + bytesB);
  }
  const k = taps * g.kwin;
  const invocations = ceilDiv(g.m, tile.tm) * ceilDiv(g.oc4, tile.tn4);
  return usefulMacs(s, g.m) / (invocations * k * (4 * tile.tm + 16 * tile.tn4));
}
