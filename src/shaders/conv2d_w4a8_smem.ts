/**
 * Builder of the W4A8 `smem` conv (conv2d_w4a8_smem.wgsl): the workgroup-memory implicit GEMM of
 * conv2d_int_smem.ts with int4 weights unpacked while staging. Same bindings, weight layout (packConvW4), channel
 * and group parameters (packW4Params) and uniforms as conv2d_w4a8.ts. groups == 1, int8 output.
 *
 * Quant groups are scaled when they end, which the kernel checks at stage ends only: every group boundary must
 * be the end of a stage (per output channel, whole taps per group, or groups of a multiple of `bk` words inside
 * a tap). `smemW4Fits` says whether a layout and tile qualify.
 */
import mainCode from './conv2d_w4a8_smem.wgsl?raw';
import nibblesCode from './conv2d_int_w4_nibbles.wgsl?raw';
import type { ConvShape } from './conv-shape.ts';
import { type KernelSpec, dispatch1d, kernelKey } from './kernel.ts';
import { FRAC_BITS, type IntQuantArgs, type IntSmemTile, epilogueConstants, intConvGeometry, intConvUniforms } from './conv2d_int_common.ts';
import { type ConvIntSmemParams, smemSupportCode, smemWorkgroups } from './conv2d_int_smem.ts';
import type { W4Layout } from './conv2d_int_pack_w4.ts';
import { W4_CONV_BINDINGS } from './conv2d_int_bindings.ts';

/** Whether every quant group of `layout` ends where a stage of `tile` ends (see the file comment). */
export function smemW4Fits(s: ConvShape, layout: W4Layout, tile: Pick<IntSmemTile, 'bk'>): boolean {
  const gwords = 2 * layout.gw;
  const taps = s.kh * s.kw;
  for (let g = 1; g <= layout.ng; g++) {
    const end = Math.min(g * gwords, taps * layout.kwr);
    const inTap = end - Math.floor((end - 1) / layout.kwr) * layout.kwr;  // words of its tap consumed, 1..kwr
    if (inTap !== layout.kwr && inTap % tile.bk !== 0) return false;
  }
  return true;
}

export function conv2dW4A8SmemKernel(params: ConvIntSmemParams, s: ConvShape, layout: W4Layout, q: IntQuantArgs): KernelSpec {
  const { tile, epilogue } = params;
  if (epilogue.out !== 'int8') throw new Error('conv2d_w4a8_smem: only the int8 epilogue is implemented');
  const workgroups = smemWorkgroups('conv2d_w4a8_smem', tile, s);
  if (tile.bk % 4 !== 0) throw new Error(`conv2d_w4a8_smem: bk ${tile.bk} is not a multiple of 4`);
  if (!smemW4Fits(s, layout, tile)) {
    throw new Error(`conv2d_w4a8_smem: quant groups of ${layout.groupSize} elements do not end at stage ends (bk ${tile.bk}, ${layout.kwr} words per tap)`);
  }
  const g = intConvGeometry(s);
  const wgm = tile.wg / tile.wgn;
  const { uniforms } = intConvUniforms(s, g, { tm: 4 * wgm, tn4: tile.tn4 * tile.wgn }, q, { kwr: layout.kwr, ng: layout.ng, gw: layout.gw });
  return {
    name: 'conv2d_w4a8_smem',
    key: kernelKey('conv2d_w4a8_smem', params),
    code: [mainCode, nibblesCode, smemSupportCode(tile, params.dot, 'w4')].join('\n'),
    entryPoint: 'main',
    constants: { WG: tile.wg, WGM: wgm, WGN: tile.wgn, TN4: tile.tn4, BK: tile.bk, ...epilogueConstants(epilogue, FRAC_BITS, s) },
    bindings: W4_CONV_BINDINGS,
    dispatch: dispatch1d(workgroups),
    uniforms,
  };
}
