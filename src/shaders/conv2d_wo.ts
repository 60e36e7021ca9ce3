/**
 * Weight-only int8 / int4 Conv2D with f32 activations: the float conv kernels (conv2d_f32.ts, every family)
 * with weights dequantized in the shader (`conv2d_wo_load_w8.wgsl` / `conv2d_wo_load_w4.wgsl`).
 *
 * Quantization is symmetric (zero point 0): q = clamp(round(w / s), -qmax, qmax), qmax = 127 (int8) or 7 (int4),
 * s = max|w| / qmax over a block of `gs` consecutive rows of one column of the packed float layout (pack-float.ts):
 * gs = kh*kw*cin/groups (the default) is one scale per output channel; smaller gs blocks along the reduction
 * axis (rows of different conv groups never share a block when gs divides kh*kw*cin/groups).
 *
 * `weights` (u32), element e = row * cols + col of the packed [rows][cols] layout, little-endian:
 *   int8:  word e/4, byte e%4            | e0 b0-7 | e1 b8-15 | e2 b16-23 | e3 b24-31 |
 *   int4:  word e/8, nibble e%8 = bits 4(e%8) .. 4(e%8)+3, two's complement
 * cols = cout/groups padded to 4 (int8) or 8 (int4, so a vec4 of channels is one 16-bit half-word).
 * `scales`: f32 [ceil(rows / gs)][cols] (padding columns hold 1).
 * Other buffers as in conv2d_f32.ts; bindings: input, weights, scales, bias, [residual], output, u.
 */
import type { Activation } from './activation.ts';
import type { DeviceCaps, KernelSpec } from './kernel.ts';
import type { ConvShape } from './conv-shape.ts';
import { type Conv2dF32Variant, convKernelSpec } from './conv2d_f32.ts';
import { packConvWeightsF32, packDepthwiseWeightsF32 } from './pack-float.ts';

export interface WoOptions {
  bits: 8 | 4;
  /** Rows per scale block; default: all rows of a column (per output channel). */
  groupSize?: number;
}

export interface WoWeights {
  weights: Uint32Array;
  scales: Float32Array;
  /** The weights after quantize -> dequantize, in the caller's layout (OIHW / GEMM B): for references. */
  dequant: Float32Array;
  /** Rows per scale block (the kernel's `groupSize`). */
  gs: number;
}

/**
 * Quantizes `w` in the packed [rows][cols] layout that `pack` produces, and packs the integers. Shared by
 * the conv and GEMM packers; `what` names the layer in errors.
 */
export function quantizeWo(w: Float32Array, pack: (w: Float32Array) => Float32Array, rows: number, cols: number,
  opts: WoOptions, what: string): WoWeights {
  const gs = opts.groupSize ?? rows;
  if (!Number.isInteger(gs) || gs < 1) throw new Error(`weight-only ${what}: bad group size ${gs}`);
  const packed = pack(w);
  if (packed.length !== rows * cols) throw new Error(`weight-only ${what}: packed ${packed.length} != ${rows}x${cols}`);
  // Where each source element went (+1, so that 0 marks padding): packing an index array with the same packer.
  const source = pack(Float32Array.from({ length: w.length }, (_, i) => i + 1));
  const qmax = opts.bits === 8 ? 127 : 7;
  const blocks = Math.ceil(rows / gs);
  const scales = new Float32Array(blocks * cols).fill(1);
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < cols; c++) {
      let m = 0;
      for (let r = b * gs; r < Math.min(rows, (b + 1) * gs); r++) m = Math.max(m, Math.abs(packed[r * cols + c]));
      if (m > 0) scales[b * cols + c] = Math.fround(m / qmax);
    }
  }
  const perWord = opts.bits === 8 ? 4 : 8;
  const words = new Uint32Array(Math.ceil((rows * cols) / perWord));
  const dequant = new Float32Array(w.length);
  for (let e = 0; e < rows * cols; e++) {
    const s = scales[Math.floor(e / cols / gs) * cols + (e % cols)];
    const q = Math.max(-qmax, Math.min(qmax, Math.round(packed[e] / s)));
    const bitsAt = (e % perWord) * opts.bits;
    words[Math.floor(e / perWord)] |= (q & ((1 << opts.bits) - 1)) << bitsAt;
    if (source[e] > 0) dequant[source[e] - 1] = Math.fround(q * s);
  }
  return { weights: words, scales, dequant, gs };
}

/**
 * OIHW float weights -> weight-only int8/int4 for the conv kernels. Pass the variant the kernel will use:
 * the depthwise family has its own layout ([kh*kw][c]).
 */
export function packConvWeightsWo(w: Float32Array, s: ConvShape, opts: WoOptions & { variant: Conv2dF32Variant }): WoWeights {
  const coutG = opts.variant.family === 'dw' ? s.cout : s.cout / s.groups;
  const cols = opts.bits === 4 ? Math.ceil(coutG / 8) * 8 : Math.ceil(coutG / 4) * 4;
  const what = `conv ${s.cin}->${s.cout} ${s.kh}x${s.kw}`;
  if (opts.variant.family === 'dw') {
    return quantizeWo(w, (x) => packDepthwiseWeightsF32(x, s, cols), s.kh * s.kw, cols, opts, what);
  }
  const kk = s.kh * s.kw * (s.cin / s.groups);
  return quantizeWo(w, (x) => packConvWeightsF32(x, s, cols), s.groups * kk, cols, { ...opts, groupSize: opts.groupSize ?? kk }, what);
}

export interface Conv2dWoParams {
  bits: 8 | 4;
  /** As passed to `packConvWeightsWo`; default per output channel. */
  groupSize?: number;
  act?: Activation;
  residual?: boolean;
  /** The tile family and sizes: chosen by the runtime (runtime/ops/conv-select.ts `defaultConvVariant`). */
  variant: Conv2dF32Variant;
}

/** Weight-only Conv2D kernel; see the file comment for layouts. */
export function conv2dWoKernel(shape: ConvShape, params: Conv2dWoParams, caps: DeviceCaps): KernelSpec {
  const variant = params.variant;
  const residual = params.residual ?? false;
  const rows = variant.family === 'dw' ? shape.kh * shape.kw : shape.kh * shape.kw * (shape.cin / shape.groups);
  const gs = params.groupSize ?? rows;
  return convKernelSpec('conv2d_wo', shape, { act: params.act, residual, bits: params.bits, gs },
    { act: params.act, residual, format: params.bits === 8 ? 'w8' : 'w4', variant, blocks: { gs } }, caps);
}
