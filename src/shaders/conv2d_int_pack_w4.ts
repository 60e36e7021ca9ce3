/**
 * Int4 weights for conv2d_w4a8 / conv2d_w4a8_smem: layout, quantization (per output channel and per group along the
 * reduction), and the integer requant parameters.
 *
 * Reduction order as for W8 (conv2d_int_common.ts) but the per-tap channel window is padded to an even number of
 * words, kwr = 2 * ceil(kwin / 2), so that one W4 word covers two input words of the same tap. Reduction element
 * e = ((kh * KW + kw) * kwr + cw) * 4 + i is input channel 4 * (ws(b) + cw) + i at that tap. W4 word j of block b:
 *
 *     vec4<u32> index j * OC4 + b:  .x = oc 4b | .y = oc 4b+1 | .z = oc 4b+2 | .w = oc 4b+3
 *     each u32:  bits 4k..4k+3 = element 8j + k, int4 two's complement (k = 0..7, nibble 0 least significant)
 *
 * Total (KH * KW * kwr / 2) * OC4 * 16 bytes.
 *
 * Quant groups: `groupSize` (a multiple of 8) consecutive elements of that order, NG = ceil(elements / groupSize);
 * groupSize = kwr * 4 is one group per tap (ONNX block quantization along the input channels when the window
 * starts at channel 0), groupSize >= elements is per output channel. Scales are symmetric per (oc, group).
 *
 * Integer requant (exact; no float on the GPU). With isum_g = sum over group g of w * x (raw x, padding = z_in):
 *
 *     t = bias_fixed[oc] + sum_g mulShiftRound(isum_g, m_g, r_g - 8)          (output scale, 8 fractional bits)
 *     m_g / 2^r_g ~= s_in * s_w[oc][g] / s_out
 *     bias_fixed[oc] = round((bias - s_in * z_in * sum_g s_w[oc][g] * sum_{e in g} w_e) / s_out * 256)
 *
 * then requant_tail (residual, rounding of the 8 bits, zero point, clamp). Buffers:
 *
 *   chan     vec4<u32>[OC]        .x = bias_fixed (i32), .yzw = 0
 *   qgroups  vec2<u32>[OC * NG]   index oc * NG + g: (m0, r)
 */
import type { ConvShape } from './conv-shape.ts';
import { intConvGeometry } from './conv2d_int_common.ts';
import { forEachWeightSlot } from './pack-int.ts';
import { clampInt, quantizeMultiplier } from '../quant/fixedpoint.ts';

export interface W4Layout {
  /** Words of the per-tap window read (even). */
  kwr: number;
  /** Reduction elements (KH * KW * kwr * 4). */
  elements: number;
  groupSize: number;
  /** Quant groups per output channel. */
  ng: number;
  /** W4 words per group. */
  gw: number;
  /** Quant group of OIHW element (oc, ci, ky, kx), ci within the conv group. */
  groupOf: (oc: number, ci: number, ky: number, kx: number) => number;
}

export function w4Layout(s: ConvShape, groupSize?: number): W4Layout {
  const g = intConvGeometry(s);
  const kwr = 2 * Math.ceil(g.kwin / 2);
  const elements = s.kh * s.kw * kwr * 4;
  const gs = groupSize ?? elements;
  if (gs % 8 !== 0 || gs <= 0) throw new Error(`conv2d_w4a8: group size ${gs} is not a positive multiple of 8`);
  const idx = new Int32Array(s.cout * g.cinG * s.kh * s.kw);
  forEachWeightSlot(s, g, kwr, (_oc, i, k, byte) => { idx[i] = Math.floor((k * 4 + byte) / gs); });
  return {
    kwr, elements, groupSize: gs, ng: Math.ceil(elements / gs), gw: gs / 8,
    groupOf: (oc, ci, ky, kx) => idx[((oc * g.cinG + ci) * s.kh + ky) * s.kw + kx],
  };
}

/** Symmetric int4 quantization ([-7, 7]) of OIHW float weights, one scale per (oc, group). */
export function quantizeConvW4(w: Float32Array, s: ConvShape, layout: W4Layout): { q: Int8Array; scales: Float32Array } {
  const per = w.length / s.cout;
  const amax = new Float32Array(s.cout * layout.ng);
  const slot = (i: number): number => {
    const oc = Math.floor(i / per);
    const r = i % per;
    const kx = r % s.kw;
    const ky = Math.floor(r / s.kw) % s.kh;
    const ci = Math.floor(r / (s.kw * s.kh));
    return oc * layout.ng + layout.groupOf(oc, ci, ky, kx);
  };
  for (let i = 0; i < w.length; i++) amax[slot(i)] = Math.max(amax[slot(i)], Math.abs(w[i]));
  const scales = Float32Array.from(amax, (a) => (a > 0 ? a / 7 : 1));
  const q = Int8Array.from(w, (v, i) => clampInt(Math.round(v / scales[slot(i)]), -7, 7));
  return { q, scales };
}

/** Packs int4 OIHW values in [-8, 7] into the layout above. */
export function packConvW4(q: Int8Array, s: ConvShape, layout: W4Layout): Uint32Array {
  const g = intConvGeometry(s);
  const out = new Uint32Array(((s.kh * s.kw * layout.kwr) / 2) * g.oc4 * 4);
  forEachWeightSlot(s, g, layout.kwr, (oc, i, k, byte) => {
    if (q[i] < -8 || q[i] > 7) throw new Error(`packConvW4: weight ${q[i]} of oc ${oc} is outside int4`);
    const e = k * 4 + byte;
    out[((e >> 3) * g.oc4 + (oc >> 2)) * 4 + (oc & 3)] |= (q[i] & 0xf) << (4 * (e & 7));
  });
  return out;
}

export interface W4Quant {
  sIn: number;
  zIn: number;
  /** [oc * NG + g] group scales. */
  sW: Float32Array;
  /** Output scale. */
  sOut: number;
  bias?: Float32Array;
}

/** The `chan` and `qgroups` buffers (see the file comment). */
export function packW4Params(q: Int8Array, s: ConvShape, layout: W4Layout, p: W4Quant): { chan: Uint32Array; qgroups: Uint32Array } {
  const { ng } = layout;
  const per = q.length / s.cout;
  const wsum = new Float64Array(s.cout * ng);
  for (let i = 0; i < q.length; i++) {
    const oc = Math.floor(i / per);
    const r = i % per;
    wsum[oc * ng + layout.groupOf(oc, Math.floor(r / (s.kw * s.kh)), Math.floor(r / s.kw) % s.kh, r % s.kw)] += q[i];
  }
  const chan = new Uint32Array(s.cout * 4);
  const qgroups = new Uint32Array(s.cout * ng * 2);
  for (let oc = 0; oc < s.cout; oc++) {
    let corr = 0;
    for (let g = 0; g < ng; g++) {
      const sw = p.sW[oc * ng + g];
      corr += sw * wsum[oc * ng + g];
      const m = quantizeMultiplier((p.sIn * sw) / p.sOut);
      if (m.r < 9) throw new Error(`conv2d_w4a8: group multiplier ${(p.sIn * sw) / p.sOut} of oc ${oc} is too large`);
      qgroups.set([m.m0, m.r], (oc * ng + g) * 2);
    }
    const b = ((p.bias?.[oc] ?? 0) - p.sIn * p.zIn * corr) / p.sOut;
    chan[oc * 4] = clampInt(Math.round(b * 256), -(2 ** 31), 2 ** 31 - 1) | 0;
  }
  return { chan, qgroups };
}
