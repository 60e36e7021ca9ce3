/**
 * Geometry, uniforms, epilogue options and tile variants shared by the integer conv kernels
 * (conv2d_w8a8, conv2d_w4a8, conv2d_int_dw) and the GEMMs built on them.
 *
 * Reduction order. Output channels are handled in blocks of 4 (one packed output word). Block `b` reads, for each
 * tap (kh, kw), a window of `kwin` consecutive packed input words starting at word `ws(b)` of the pixel:
 *
 *     reduction word k = (kh * KW + kw) * kwin + cw          cw in [0, kwin)
 *     input word       = input[((n * H + ih) * W + iw) * C4 + ws(b) + cw]
 *
 * For groups == 1 the window is the whole pixel (ws = 0, kwin = C4). For grouped conv the window is the smallest
 * word range covering the input channels of every group in the block (groups need not be 4-aligned), the same
 * width for all blocks; weights outside an output channel's own group are zero. That keeps one dense code path
 * for groups = 2, 3, ... at the cost of some zero MACs when channels per group are not a multiple of 4.
 */
import type { ConvShape } from './conv-shape.ts';
import { convOutSize } from './conv-shape.ts';
import { type Activation, activationConstants } from './activation.ts';
import { type DeviceCaps, type UniformField, ceilDiv, packUniforms } from './kernel.ts';

export interface IntConvGeometry {
  c4: number;
  oc4: number;
  cinG: number;
  coutG: number;
  /** Words of the per-tap channel window (covers a block's groups). */
  kwin: number;
  outH: number;
  outW: number;
  /** Output pixels n * outH * outW. */
  m: number;
}

/** First input word of block `b`'s channel window. Mirrored by `window_start` in the WGSL. */
export function windowStart(g: IntConvGeometry, block: number): number {
  const gFirst = Math.floor((block * 4) / g.coutG);
  return Math.min(Math.floor((gFirst * g.cinG) / 4), g.c4 - g.kwin);
}

export function intConvGeometry(s: ConvShape): IntConvGeometry {
  const c4 = ceilDiv(s.cin, 4);
  const oc4 = ceilDiv(s.cout, 4);
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  let kwin = 1;
  for (let b = 0; b < oc4; b++) {
    const gFirst = Math.floor((4 * b) / coutG);
    const gLast = Math.floor(Math.min(4 * b + 3, s.cout - 1) / coutG);
    const lo = Math.floor((gFirst * cinG) / 4);
    const hi = Math.ceil(((gLast + 1) * cinG) / 4);
    kwin = Math.max(kwin, hi - lo);
  }
  const { outH, outW } = convOutSize(s);
  return { c4, oc4, cinG, coutG, kwin, outH, outW, m: s.n * outH * outW };
}

/**
 * What happens to the i32 accumulator. `int8`: fixed-point requant to the output's scale, clamp (a fused ReLU /
 * Clip narrows it; other activations take the `qact` epilogue), then optionally the residual table
 * (Q -> DQ -> Add -> ... -> Q as one 256 x 256 lookup, see addTable in quant/onnx-qdq.ts). `f32`: dequantize
 * (f32(acc) * s_in * s_w[oc] + float bias) and apply a float activation. `qact`: the same float value and
 * activation, then QuantizeLinear exactly (quantize-div.wgsl: f32 division, half to even, saturation) to int8:
 * what onnxruntime computes for Conv -> Sigmoid / SiLU / HardSwish -> QuantizeLinear, element by element.
 */
export type IntEpilogue =
  | { out: 'int8'; residual: boolean; fracBias?: boolean }
  | { out: 'f32'; act: Activation }
  | { out: 'qact'; act: Activation };

/** Runtime (uniform) values of the epilogue: per-tensor zero points and the clamp range. */
export interface IntQuantArgs {
  /** Input zero point: padding pixels read as this value. */
  zIn: number;
  /** Output zero point (int8 and qact epilogues). */
  zOut?: number;
  /**
   * Output clamp [qLo, qHi] (the QuantizeLinear's saturation, narrowed by a fused ReLU/Clip); defaults to
   * [-128, 127]. With a residual it clamps the conv's own quantized output, before the table.
   */
  qLo?: number;
  qHi?: number;
  /** Output scale of the `qact` epilogue (its QuantizeLinear divides by it); unused otherwise. */
  sOut?: number;
}

/**
 * Barrier-free register tile: `tm` output pixels x `tn4` blocks of 4 output channels per invocation. `reg`: i32
 * dot products (dot4I8Packed or shifts), tn4 <= 2. `fma` (W8A8 only): int8 products summed exactly in f32 fma,
 * tn4 <= 4 (conv2d_int_fma.wgsl; the fast family on CPU-backed devices).
 */
export interface IntRegTile {
  family: 'reg' | 'fma';
  tm: 1 | 2 | 4;
  tn4: 1 | 2 | 3 | 4;
  wg: number;
}

/**
 * Workgroup-memory implicit-GEMM tile (`smem`, conv2d_int_smem.wgsl; groups == 1): a workgroup of `wg` = WGM x
 * `wgn` invocations computes BM = 4 * WGM output pixels x BN = 4 * tn4 * `wgn` output channels; each invocation
 * 4 pixels x tn4 blocks. The reduction is staged `bk` words (4 * bk int8 channels) at a time. `vec4`: input read
 * as vec4<u32> (16-byte loads; needs C4 % 4 == 0). The GPU-shaped family: ~BM*BN/(BM+BN) MAC per global byte.
 */
export interface IntSmemTile {
  family: 'smem';
  tm: 4;
  tn4: 1 | 2;
  wg: number;
  wgn: number;
  bk: 4 | 8 | 16;
  vec4: boolean;
}

export type IntTile = IntRegTile | IntSmemTile;

/** Fractional bits kept when terms of different scales are summed before the final rounding (int4 groups). */
export const FRAC_BITS = 8;

/**
 * Fractional bits of a float bias at the output scale (`fracBias`: W8 kernels, int8 output). A QDQ model whose
 * bias is a float initializer means acc * s_in * s_w + bias exactly; rounding the bias to the accumulator's
 * integer grid would move outputs by up to half a step of s_in * s_w. With 16 fractional bits the sum is off by at
 * most 2^-16 LSB before its one final rounding (pack-int.ts `packChannelParams`).
 */
export const BIAS_FRAC_BITS = 16;

/** Candidate tiles for the autotuner. Grouped convs use tn4 = 1 (blocks of one invocation share a window). */
export function intConvVariants(s: ConvShape, caps: Pick<DeviceCaps, 'software'>): IntRegTile[] {
  const out: IntRegTile[] = [];
  const tn4s: IntTile['tn4'][] = s.groups === 1 && s.cout > 4 ? [1, 2] : [1];
  for (const tm of [4, 2, 1] as const) for (const tn4 of tn4s) out.push({ family: 'reg', tm, tn4, wg: caps.software ? 16 : 64 });
  return out;
}

/** Uniform struct `IntConvU` in conv2d_int_common.wgsl, field for field. */
export function intConvUniforms(
  s: ConvShape, g: IntConvGeometry, tile: { tm: number; tn4: number }, q: IntQuantArgs,
  extra: { kwr?: number; ng?: number; gw?: number; mTiles?: number; epilogue?: IntEpilogue } = {},
): { uniforms: Uint32Array<ArrayBuffer>; invocations: number } {
  const e = extra.epilogue;
  const mTiles = extra.mTiles ?? ceilDiv(g.m, tile.tm);
  const ocTiles = ceilDiv(g.oc4, tile.tn4);
  const zIn = q.zIn & 0xff;
  const fields: UniformField[] = [
    ['u32', s.h], ['u32', s.w], ['u32', g.c4], ['u32', g.kwin],
    ['u32', g.outH], ['u32', g.outW], ['u32', s.cout], ['u32', g.oc4],
    ['u32', s.kh], ['u32', s.kw], ['u32', s.strideH], ['u32', s.strideW],
    ['u32', s.dilationH], ['u32', s.dilationW], ['u32', s.padTop], ['u32', s.padLeft],
    ['u32', g.m], ['u32', mTiles], ['u32', ocTiles], ['u32', zIn * 0x01010101],
    ['u32', g.cinG], ['u32', g.coutG], ['i32', q.zOut ?? 0], ['i32', q.qLo ?? -128],
    ['i32', q.qHi ?? 127], ['u32', e?.out === 'int8' && e.residual ? 1 : 0], ['f32', q.sOut ?? 1], ['u32', 0],
    ['u32', extra.kwr ?? g.kwin], ['u32', extra.ng ?? 1], ['u32', extra.gw ?? 1], ['u32', 0],
  ];
  return { uniforms: packUniforms(fields), invocations: mTiles * ocTiles };
}

/**
 * The part of an epilogue that shapes the code, for kernel keys: the residual table is a uniform flag (`RES` of
 * IntConvU, filled from `extra.epilogue` by intConvUniforms), so one pipeline serves both int8 epilogues of a tile and a model compiles fewer pipelines (load time).
 */
export function epilogueCodeParams(e: IntEpilogue): IntEpilogue | { out: 'int8'; fracBias?: boolean } {
  return e.out === 'int8' ? { out: 'int8', fracBias: e.fracBias } : e;
}

/** Key params of an integer conv kernel: `params` with the epilogue reduced to what shapes the code. */
export function intKeyParams<P extends { epilogue: IntEpilogue }>(params: P): Omit<P, 'epilogue'> & { epilogue: ReturnType<typeof epilogueCodeParams> } {
  return { ...params, epilogue: epilogueCodeParams(params.epilogue) };
}

/** Pixel indices below this use the f32 division of `div_small` (conv2d_int_common.wgsl). */
const FAST_DIV_LIMIT = 2 ** 22;

/**
 * Override constants of the shared epilogue (requant.wgsl + activation.wgsl) and of `div_small` for shape `s`.
 */
export function epilogueConstants(e: IntEpilogue, fracBits: number, s?: ConvShape): Record<string, number> {
  const m = s ? intConvGeometry(s).m : Infinity;
  const S = e.out === 'int8' && e.fracBias ? BIAS_FRAC_BITS : fracBits;
  const c: Record<string, number> = {
    DEQ: 0, S, HALF_S: S ? 2 ** (S - 1) : 0, FAST_DIV: m < FAST_DIV_LIMIT ? 1 : 0,
  };
  // Only the kernels with conv2d_int_store.wgsl (W8A8, depthwise) declare FRAC_BIAS; they alone set fracBias.
  if (e.out === 'int8' && e.fracBias) c.FRAC_BIAS = 1;
  if (e.out === 'f32' || e.out === 'qact') {
    c.DEQ = e.out === 'f32' ? 1 : 2;
    Object.assign(c, activationConstants(e.act));
  }
  return c;
}
