/**
 * QuantizeLinear and DequantizeLinear of single values exactly as ONNX defines them in float32, and the int8
 * tables built from them. Everything the integer kernels fold (a Q/DQ pair, an Add of two dequantized tensors, a
 * ReLU or Clip between them) is defined by these float32 operations; where a kernel cannot reproduce them with
 * integer math, it looks the result up in a table computed here, so it is exact by construction.
 *
 *     DequantizeLinear: y = fl32((q - zero_point) * scale)        (the integer difference is exact)
 *     QuantizeLinear:   q = saturate(roundHalfEven(fl32(x / scale)) + zero_point)
 *
 * `fl32(a op b)` of two float32 values is Math.fround of the double result: for +, -, * and / the double result
 * rounded to float32 equals the correctly rounded float32 result (53 >= 2 * 24 + 2, so no double-rounding error).
 * Values here are in quantgpu's int8 storage (uint8 tensors are stored as code - 128 with zero point - 128: the
 * same reals), so the saturation range is [-128, 127] unless narrowed.
 */
import type { QParams } from '../runtime/plan/types.ts';

/** Round half to even (ONNX QuantizeLinear, IEEE roundTiesToEven): 0.5 -> 0, 1.5 -> 2, -2.5 -> -2. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** ONNX DequantizeLinear of one int8 value, in float32. */
export function dequantizeValue(q: number, p: QParams): number {
  return Math.fround((q - p.zeroPoint) * Math.fround(p.scale));
}

/** ONNX QuantizeLinear of one float32 value to int8 storage, saturated to [lo, hi] (default [-128, 127]). */
export function quantizeValue(x: number, p: QParams, lo = -128, hi = 127): number {
  const v = Math.fround(Math.fround(x) / Math.fround(p.scale));
  if (Number.isNaN(v)) throw new Error(`QuantizeLinear of NaN (scale ${p.scale})`);
  return Math.min(hi, Math.max(lo, roundHalfEven(v) + p.zeroPoint));
}

/**
 * Quantized clamp bounds of a float clamp [min, max] applied before a QuantizeLinear: since QuantizeLinear is
 * monotonic, Q(clip(y, min, max)) = clamp(Q(y), Q(min), Q(max)) exactly, for every y.
 */
export function clampBounds(min: number, max: number, p: QParams, lo = -128, hi = 127): { qLo: number; qHi: number } {
  const qLo = min === -Infinity ? lo : quantizeValue(Math.max(min, -3.4028234663852886e38), p, lo, hi);
  const qHi = max === Infinity ? hi : quantizeValue(Math.min(max, 3.4028234663852886e38), p, lo, hi);
  return { qLo, qHi };
}

/** A float32 function applied between the dequantized inputs and the QuantizeLinear (identity if absent). */
export type F32Map = (y: number) => number;

/**
 * 256 x 256 int8 table of Q(f(fl32(DQ_a(a) op DQ_b(b)))) with ONNX float32 semantics, four entries per u32:
 * byte k of word j = entry 4j + k, entry (a + 128) * 256 + (b + 128). 64 KiB.
 */
export function binaryTable(op: 'add' | 'mul', a: QParams, b: QParams, out: QParams, f: F32Map = (y) => y, lo = -128, hi = 127): Uint32Array {
  const table = new Uint32Array(65536 / 4);
  const db = Array.from({ length: 256 }, (_, j) => dequantizeValue(j - 128, b));
  for (let i = 0; i < 256; i++) {
    const da = dequantizeValue(i - 128, a);
    for (let j = 0; j < 256; j++) {
      const v = quantizeValue(f(Math.fround(op === 'add' ? da + db[j] : da * db[j])), out, lo, hi);
      const k = i * 256 + j;
      table[k >> 2] |= (v & 0xff) << (8 * (k & 3));
    }
  }
  return table;
}

/** The table of an Add (the residual epilogue's). */
export function addTable(a: QParams, b: QParams, out: QParams, f: F32Map = (y) => y, lo = -128, hi = 127): Uint32Array {
  return binaryTable('add', a, b, out, f, lo, hi);
}

/** Entry (a, b) of a `binaryTable`. */
export function addTableAt(table: Uint32Array, a: number, b: number): number {
  const k = (a + 128) * 256 + (b + 128);
  return (table[k >> 2] << (24 - 8 * (k & 3))) >> 24;
}
