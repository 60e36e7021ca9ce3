/** CPU references of the precision kernels (quantize, dequantize, requantize): bit-exact mirrors. */
import { clampInt, mulShiftRoundRef as mulShiftRef, multiplierRef } from './requant.ts';
import type { QParams, RequantizeParams } from '../../src/shaders/requantize.ts';

/** Round half to even (WGSL `round`). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export { clampInt };

/** ONNX QuantizeLinear: q = clamp(roundHalfEven(fl32(x / scale)) + zp, qmin, qmax) (double / then fround is fl32 /). */
export function quantizeValue(x: number, scale: number, zp: number, qmin = -128, qmax = 127): number {
  const v = Math.fround(Math.fround(x) / Math.fround(scale));
  if (v === Infinity) return qmax;
  if (v === -Infinity) return qmin;
  return clampInt(roundHalfEven(v) + zp, qmin, qmax);
}

/** Packs int8 values [rows, C] into [rows, ceil(C/4)] words; padding lanes get `pad`. */
export function packRows(q: ArrayLike<number>, rows: number, c: number, pad = 0): Uint32Array {
  const cw = Math.ceil(c / 4);
  const out = new Uint32Array(rows * cw);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cw * 4; j++) {
      const v = j < c ? q[r * c + j] : pad;
      out[r * cw + (j >> 2)] |= (v & 0xff) << ((j & 3) * 8);
    }
  }
  return out;
}

/** Inverse of packRows (padding dropped). */
export function unpackRows(words: Uint32Array, rows: number, c: number): Int8Array {
  const cw = Math.ceil(c / 4);
  const out = new Int8Array(rows * c);
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) out[r * c + j] = (words[r * cw + (j >> 2)] >>> ((j & 3) * 8)) << 24 >> 24;
  return out;
}

/** NCHW [outer, C, inner] -> [outer*inner, C]. */
export function channelsFirstToLast<T extends Float32Array | Int8Array>(x: T, outer: number, c: number, inner: number): T {
  const out = new (x.constructor as { new (n: number): T })(x.length);
  for (let o = 0; o < outer; o++) for (let ch = 0; ch < c; ch++) for (let s = 0; s < inner; s++) {
    out[(o * inner + s) * c + ch] = x[(o * c + ch) * inner + s];
  }
  return out;
}

export function quantizeRef(x: Float32Array, rows: number, c: number, p: QParams): Uint32Array {
  const q = Array.from(x, (v) => quantizeValue(v, p.scale, p.zeroPoint));
  return packRows(q, rows, c, p.zeroPoint);
}

export function dequantizeRef(words: Uint32Array, rows: number, c: number, p: QParams): Float32Array {
  const s = Math.fround(p.scale);
  return Float32Array.from(unpackRows(words, rows, c), (q) => (q - p.zeroPoint) * s);
}

/** Word-wise requantization of every lane (padding included). */
export function requantizeRef(words: Uint32Array, p: RequantizeParams): Uint32Array {
  const f = multiplierRef(p.input.scale / p.output.scale);
  const out = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    for (let k = 0; k < 4; k++) {
      const q = (words[i] >>> (8 * k)) << 24 >> 24;
      const r = clampInt(p.output.zeroPoint + mulShiftRef(q - p.input.zeroPoint, f.m0, f.r), p.qmin ?? -128, p.qmax ?? 127);
      out[i] |= (r & 0xff) << (8 * k);
    }
  }
  return out;
}

/** Flat per-channel (or per-tensor when one scale) quantization packed 32/bits per word. */
export function quantizeChannelRef(
  x: Float32Array, c: number, inner: number, scales: number[], zps: number[], bits: 8 | 4, qmin: number, qmax: number,
): Uint32Array {
  const per = 32 / bits;
  const out = new Uint32Array(Math.ceil(x.length / per));
  const mask = (1 << bits) - 1;
  for (let e = 0; e < x.length; e++) {
    const ch = scales.length === 1 ? 0 : Math.floor(e / inner) % c;
    const q = quantizeValue(x[e], scales[ch], zps[ch], qmin, qmax);
    out[Math.floor(e / per)] |= (q & mask) << ((e % per) * bits);
  }
  return out;
}
