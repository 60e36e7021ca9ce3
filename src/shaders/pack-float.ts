/**
 * Weight packing for the float-activation conv and GEMM kernels (pure TypeScript, no GPU), and the f16
 * rounding helpers their references use.
 *
 * Conv layout (`packConvWeightsF32`), from ONNX OIHW [cout][cin/groups][kh][kw]:
 *
 *   f32 index = ((g * kk + k) * coutGPad) + co        k  = (ky * kw + kx) * cinG + ci   (ci fastest)
 *                                                      kk = kh * kw * cinG,  co = output channel within group g
 *
 * i.e. per group a [kk][coutGPad] matrix (HWIO with O padded with zeros to a multiple of 4), so one row
 * entry of 16 bytes holds 4 output channels:  | co 4c4+0 | co 4c4+1 | co 4c4+2 | co 4c4+3 |  (f32 each).
 * Depthwise weights (groups == cin == cout) use the same formula with one group of cout channels:
 * [kh*kw][cPad] (`packDepthwiseWeightsF32`).
 * f16 variants hold the same elements in the same order, two per u32 (low half = even element).
 */
import type { ConvShape } from './conv-shape.ts';

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** OIHW float weights -> [groups][kh*kw*cinG][coutG padded to 4] f32 (zeros in the padding). */
export function packConvWeightsF32(w: Float32Array, s: ConvShape, coutGPad = pad4(s.cout / s.groups)): Float32Array {
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  const kk = s.kh * s.kw * cinG;
  if (w.length !== s.cout * kk) throw new Error(`packConvWeightsF32: ${w.length} weights, want ${s.cout}x${cinG}x${s.kh}x${s.kw}`);
  const out = new Float32Array(s.groups * kk * coutGPad);
  for (let co = 0; co < s.cout; co++) {
    const g = Math.floor(co / coutG);
    const c = co % coutG;
    for (let ci = 0; ci < cinG; ci++) {
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) {
          const k = (ky * s.kw + kx) * cinG + ci;
          out[(g * kk + k) * coutGPad + c] = w[((co * cinG + ci) * s.kh + ky) * s.kw + kx];
        }
      }
    }
  }
  return out;
}

/** True for the shapes the dedicated depthwise kernel handles (channel multiplier 1). */
export const isDepthwise = (s: ConvShape): boolean => s.groups > 1 && s.groups === s.cin && s.cout === s.cin;

/** Depthwise OIHW [c][1][kh][kw] -> [kh*kw][c padded to 4] f32. */
export function packDepthwiseWeightsF32(w: Float32Array, s: ConvShape, cPad = pad4(s.cout)): Float32Array {
  if (!isDepthwise(s)) throw new Error(`packDepthwiseWeightsF32: not a depthwise shape (groups=${s.groups}, ${s.cin}->${s.cout})`);
  const taps = s.kh * s.kw;
  if (w.length !== s.cout * taps) throw new Error(`packDepthwiseWeightsF32: ${w.length} weights, want ${s.cout}x1x${s.kh}x${s.kw}`);
  const out = new Float32Array(taps * cPad);
  for (let c = 0; c < s.cout; c++) for (let t = 0; t < taps; t++) out[t * cPad + c] = w[c * taps + t];
  return out;
}

/** Bias as the kernels read it: f32[cout], zeros when the layer has none. */
export function packBias(bias: Float32Array | undefined, cout: number): Float32Array {
  if (bias && bias.length !== cout) throw new Error(`packBias: ${bias.length} values for ${cout} channels`);
  return bias ? Float32Array.from(bias) : new Float32Array(cout);
}

const f32Buf = new Float32Array(1);
const u32Buf = new Uint32Array(f32Buf.buffer);

/** IEEE binary16 bits of `x`, round to nearest even (overflow -> inf, NaN kept, subnormals exact). */
export function f32ToF16Bits(x: number): number {
  f32Buf[0] = x;
  const b = u32Buf[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000; // implicit 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  const rest = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent, which is right
  return sign | h;
}

/** The f32 value of binary16 bits `h`. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** `x` rounded to the nearest f16 value, back as a number (the reference for f16-weight kernels). */
export const roundToF16 = (x: number): number => f16BitsToF32(f32ToF16Bits(x));

/** Any packed f32 weight array (length a multiple of 2) -> f16 pairs in u32, low half = even element. */
export function packF16Pairs(w: Float32Array): Uint32Array {
  if (w.length % 2) throw new Error(`packF16Pairs: odd length ${w.length}`);
  const out = new Uint32Array(w.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (f32ToF16Bits(w[2 * i]) | (f32ToF16Bits(w[2 * i + 1]) << 16)) >>> 0;
  return out;
}
