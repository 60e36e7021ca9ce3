/**
 * Host-side packing for the integer kernels (pure TS, no GPU): activations, W8 weights, per-channel requant
 * parameters, activation clamps and lookup tables. (Int4 weights: conv2d_int_pack_w4.ts.)
 *
 * Int8 activations, NHWC, channels padded to C4 = ceil(C / 4) words per pixel:
 *
 *     word ((n * H + y) * W + x) * C4 + j:   byte 0 | byte 1 | byte 2 | byte 3   (little-endian)
 *                                            ch 4j  | ch 4j+1| ch 4j+2| ch 4j+3  (int8; pad channels are 0)
 *
 * W8 conv weights (conv2d_w8a8): int8 symmetric per output channel in [-127, 127]; for reduction word k (see
 * conv2d_int_common.ts: k = (kh * KW + kw) * kwin + cw) and output block b = oc / 4, one vec4<u32>:
 *
 *     vec4 index k * OC4 + b:   .x = oc 4b | .y = oc 4b+1 | .z = oc 4b+2 | .w = oc 4b+3
 *     each u32: byte i = weight of input channel 4 * (ws(b) + cw) + i (0 outside the channel's group / range)
 *
 * Total K * OC4 * 16 bytes, K = KH * KW * kwin.
 *
 * Depthwise weights (conv2d_int_dw): word (kh * KW + kw) * C4 + j, byte i = weight of channel 4j + i at that tap:
 * KH * KW * C4 * 4 bytes.
 *
 * Per-channel parameters `chan` (all int kernels), 16 bytes per output channel:
 *
 *     vec4<u32> oc:  .x = bias' (i32)  | .y = m0 (u32) | .z = r (u32) | .w = dequant scale (f32 bits)
 *     (f32 / qact epilogues: .y = the float bias, f32 bits; see BiasMode)
 *     bias' = round(bias / (s_in * s_w[oc])) - z_in * sum(w_q[oc])   (padding must read as z_in)
 *     m0 / 2^r ~= s_in * s_w[oc] / s_out                               (see src/quant/fixedpoint.ts)
 *     dequant scale = f32(s_in * s_w[oc])
 */
import type { ConvShape } from './conv-shape.ts';
import type { Activation } from './activation.ts';
import { ceilDiv } from './kernel.ts';
import { BIAS_FRAC_BITS, type IntConvGeometry, intConvGeometry, windowStart } from './conv2d_int_common.ts';
import { clampInt, quantizeMultiplier } from '../quant/fixedpoint.ts';
import { clampBounds } from '../quant/onnx-qdq.ts';

/** Packs int8 NHWC values (unpadded channels) into the int8 activation layout. */
export function packInt8Activations(q: Int8Array, n: number, h: number, w: number, c: number): Uint32Array {
  if (q.length !== n * h * w * c) throw new Error(`packInt8Activations: ${q.length} values for ${n}x${h}x${w}x${c}`);
  const c4 = ceilDiv(c, 4);
  const out = new Uint32Array(n * h * w * c4);
  for (let p = 0; p < n * h * w; p++) {
    for (let ch = 0; ch < c; ch++) out[p * c4 + (ch >> 2)] |= (q[p * c + ch] & 0xff) << (8 * (ch & 3));
  }
  return out;
}

/** Inverse of `packInt8Activations`: int8 NHWC with `c` channels. */
export function unpackInt8Activations(words: Uint32Array, n: number, h: number, w: number, c: number): Int8Array {
  const c4 = ceilDiv(c, 4);
  const out = new Int8Array(n * h * w * c);
  for (let p = 0; p < n * h * w; p++) {
    for (let ch = 0; ch < c; ch++) out[p * c + ch] = (words[p * c4 + (ch >> 2)] << (24 - 8 * (ch & 3))) >> 24;
  }
  return out;
}

/** Quantizes float activations (NCHW or NHWC) to int8 NHWC: clamp(round(x / scale) + zero, -128, 127). */
export function quantizeActivations(
  x: Float32Array, dims: [number, number, number, number], layout: 'nchw' | 'nhwc', scale: number, zero: number,
): Int8Array {
  const [n, a, b, c] = dims;
  const [h, w, ch] = layout === 'nchw' ? [b, c, a] : [a, b, c];
  const out = new Int8Array(n * h * w * ch);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < ch; k++) {
    const src = layout === 'nchw' ? ((i * ch + k) * h + y) * w + xx : ((i * h + y) * w + xx) * ch + k;
    out[((i * h + y) * w + xx) * ch + k] = clampInt(Math.round(x[src] / scale) + zero, -128, 127);
  }
  return out;
}

/** (q - zero) * scale, elementwise. */
export function dequantize(q: Int8Array, scale: number, zero: number): Float32Array {
  return Float32Array.from(q, (v) => (v - zero) * scale);
}

/** Symmetric per-output-channel quantization of OIHW (or [cout][k]) weights to [-qmax, qmax]. */
export function quantizeWeightsPerChannel(w: Float32Array, cout: number, qmax = 127): { q: Int8Array; scales: Float32Array } {
  const per = w.length / cout;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let amax = 0;
    for (let i = 0; i < per; i++) amax = Math.max(amax, Math.abs(w[o * per + i]));
    const s = amax > 0 ? amax / qmax : 1;
    scales[o] = s;
    for (let i = 0; i < per; i++) q[o * per + i] = clampInt(Math.round(w[o * per + i] / s), -qmax, qmax);
  }
  return { q, scales };
}

/** Calls `f(oc, word k, byte)` for every OIHW weight element, with its place in the reduction order. */
export function forEachWeightSlot(
  s: ConvShape, g: IntConvGeometry, kwr: number, f: (oc: number, ohwIndex: number, k: number, byte: number) => void,
): void {
  for (let oc = 0; oc < s.cout; oc++) {
    const ws = windowStart(g, oc >> 2);
    const grp = Math.floor(oc / g.coutG);
    for (let ci = 0; ci < g.cinG; ci++) {
      const c = grp * g.cinG + ci;
      const cw = (c >> 2) - ws;
      if (cw < 0 || cw >= g.kwin) throw new Error(`pack: channel ${c} of oc ${oc} is outside its window (bug)`);
      for (let y = 0; y < s.kh; y++) for (let x = 0; x < s.kw; x++) {
        f(oc, ((oc * g.cinG + ci) * s.kh + y) * s.kw + x, (y * s.kw + x) * kwr + cw, c & 3);
      }
    }
  }
}

/** Packs int8 OIHW weights (already quantized, [-127, 127]) into the conv2d_w8a8 layout. */
export function packConvW8(q: Int8Array, s: ConvShape): Uint32Array {
  const g = intConvGeometry(s);
  if (q.length !== s.cout * g.cinG * s.kh * s.kw) throw new Error(`packConvW8: ${q.length} weights for shape ${JSON.stringify(s)}`);
  const out = new Uint32Array(s.kh * s.kw * g.kwin * g.oc4 * 4);
  forEachWeightSlot(s, g, g.kwin, (oc, i, k, byte) => {
    out[(k * g.oc4 + (oc >> 2)) * 4 + (oc & 3)] |= (q[i] & 0xff) << (8 * byte);
  });
  return out;
}

/** Packs int8 depthwise weights (OIHW with I = 1, groups == cin == cout) into the conv2d_int_dw layout. */
export function packDepthwiseW8(q: Int8Array, s: ConvShape): Uint32Array {
  const c4 = ceilDiv(s.cin, 4);
  const out = new Uint32Array(s.kh * s.kw * c4);
  for (let c = 0; c < s.cout; c++) for (let t = 0; t < s.kh * s.kw; t++) {
    out[t * c4 + (c >> 2)] |= (q[c * s.kh * s.kw + t] & 0xff) << (8 * (c & 3));
  }
  return out;
}

export interface ChannelQuant {
  sIn: number;
  zIn: number;
  /** Per-output-channel weight scales. */
  sW: Float32Array;
  /** Output scale (or the intermediate scale when a LUT activation follows). Unused for f32 output. */
  sOut: number;
  /** Float bias (quantized here) or already-quantized int32 bias (QDQ models); zero if neither. */
  bias?: Float32Array;
  biasQ?: Int32Array;
}

/** bias_q per output channel: round(bias / (s_in * s_w[oc])). */
export function quantizeBias(c: ChannelQuant, cout: number): Int32Array {
  if (c.biasQ) return c.biasQ;
  return Int32Array.from({ length: cout }, (_, o) => (c.bias ? Math.round(c.bias[o] / (c.sIn * c.sW[o])) : 0));
}

/**
 * Whether a float bias can ride at the output scale with BIAS_FRAC_BITS fractional bits (`fracBias` epilogue):
 * every multiplier must leave a shift r >= 17 and every bias / s_out * 2^16 must stay below 2^30.
 */
export function fracBiasFits(c: ChannelQuant, cout: number): boolean {
  if (!c.bias || c.biasQ) return false;
  for (let o = 0; o < cout; o++) {
    if (quantizeMultiplier((c.sIn * c.sW[o]) / c.sOut).r - BIAS_FRAC_BITS < 1) return false;
    if (Math.abs(c.bias[o] / c.sOut) * 2 ** BIAS_FRAC_BITS >= 2 ** 30) return false;
  }
  return true;
}

/**
 * Where the bias goes in `chan`. `grid`: rounded to the accumulator's grid, in bias'. `frac` (int8 epilogue, see
 * fracBiasFits): bias' leaves it out and .w holds round(bias / s_out * 2^16) as an i32 instead of the dequant
 * scale. `float` (f32 and qact epilogues, which do not use m0 / r): bias' leaves it out and .y holds it as an
 * f32, added to the dequantized accumulator as onnxruntime adds it (an int32 bias as f32(bias_q * s_in * s_w)).
 */
export type BiasMode = 'grid' | 'frac' | 'float';

/** The `chan` buffer (layout above) from int8 OIHW weights and the scales. */
export function packChannelParams(q: Int8Array, cout: number, c: ChannelQuant, bias: BiasMode = 'grid'): Uint32Array {
  const per = q.length / cout;
  const biasQ = bias === 'grid' ? quantizeBias(c, cout) : new Int32Array(cout);
  const out = new Uint32Array(cout * 4);
  const f = new Float32Array(out.buffer);
  for (let o = 0; o < cout; o++) {
    let wsum = 0;
    for (let i = 0; i < per; i++) wsum += q[o * per + i];
    const m = quantizeMultiplier((c.sIn * c.sW[o]) / c.sOut);
    out[o * 4] = (biasQ[o] - c.zIn * wsum) | 0;
    out[o * 4 + 1] = m.m0;
    out[o * 4 + 2] = m.r;
    f[o * 4 + 3] = c.sIn * c.sW[o];
    if (bias === 'frac') out[o * 4 + 3] = Math.round((c.bias![o] / c.sOut) * 2 ** BIAS_FRAC_BITS) | 0;
    if (bias === 'float') f[o * 4 + 1] = c.bias ? c.bias[o] : c.biasQ ? c.biasQ[o] * Math.fround(c.sIn * c.sW[o]) : 0;
  }
  return out;
}

/**
 * Output clamp of a fused ReLU / Clip (or none) in the quantized domain: the bounds quantized as ONNX
 * QuantizeLinear does (exact, since QuantizeLinear is monotonic). Other activations take the `qact` epilogue.
 */
export function activationClamp(act: Activation, sOut: number, zOut: number): { qLo: number; qHi: number } {
  switch (act.kind) {
    case 'none': return { qLo: -128, qHi: 127 };
    case 'relu': return clampBounds(0, Infinity, { scale: sOut, zeroPoint: zOut });
    case 'clip': return clampBounds(act.min, act.max, { scale: sOut, zeroPoint: zOut });
    default: throw new Error(`activationClamp: ${act.kind} is not a clamp (a conv fuses it with the qact epilogue)`);
  }
}

/** Whether an activation is fused as a clamp (false: the `qact` epilogue applies it in f32). */
export const isClampActivation = (act: Activation): boolean => act.kind === 'none' || act.kind === 'relu' || act.kind === 'clip';
