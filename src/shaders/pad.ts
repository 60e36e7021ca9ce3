/**
 * ONNX Pad (constant / reflect / edge, rank <= 6) on 32-bit words. Packed int8 ('i8x4') tensors may only be
 * padded outside the channel (last) axis; their constant is a quantized value, replicated into all 4 lanes.
 */
import code from './pad.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { type Elem, checkRank, rowMajorStrides, sizeOf, slotFields, wordShape } from './slice.ts';

export type PadMode = 'constant' | 'reflect' | 'edge';
const MODE: Record<PadMode, number> = { constant: 0, reflect: 1, edge: 2 };

export interface PadParams {
  mode: PadMode;
  /** ONNX layout: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; negative values crop. */
  pads: number[];
  /** Constant mode: a float (f32) or, for 'i8x4', the quantized int8 value (usually the zero point). */
  value?: number;
}

export function padShape(shape: readonly number[], pads: readonly number[]): number[] {
  if (pads.length !== 2 * shape.length) throw new Error(`Pad: ${pads.length} pads for rank ${shape.length}`);
  return shape.map((d, i) => d + pads[i] + pads[i + shape.length]);
}

/** Bindings: input, output (u32 words), u. */
export function padKernel(shape: readonly number[], p: PadParams, elem: Elem = 'f32'): KernelSpec {
  checkRank('Pad', shape);
  const rank = shape.length;
  const outShape = padShape(shape, p.pads);
  if (outShape.some((d) => d <= 0)) throw new Error(`Pad: output shape [${outShape}] from [${shape}] is empty`);
  if (p.mode === 'reflect' && shape.some((d, i) => d > 1 && (p.pads[i] >= d || p.pads[i + rank] >= d))) {
    throw new Error(`Pad: reflect pads [${p.pads}] must be smaller than the dims [${shape}]`);
  }
  if (elem === 'i8x4' && (p.pads[rank - 1] !== 0 || p.pads[2 * rank - 1] !== 0)) {
    throw new Error(`Pad: packed int8 cannot pad the channel axis (pads [${p.pads}])`);
  }
  let value = 0;
  if (elem === 'f32') value = new Uint32Array(new Float32Array([p.value ?? 0]).buffer)[0];
  else value = ((p.value ?? 0) & 0xff) * 0x01010101;
  const inWords = wordShape(shape, elem);
  const outWords = wordShape(outShape, elem);
  const WG = 256;
  const n = sizeOf(outWords);
  return gridKernel({
    name: 'pad', params: { mode: p.mode }, code, constants: { MODE: MODE[p.mode] }, WG, count: n,
    uniforms: packUniforms([
      ...slotFields('u32', outWords, 1),
      ...slotFields('u32', inWords, 1),
      ...slotFields('u32', rowMajorStrides(inWords), 0),
      ...slotFields('i32', p.pads.slice(0, rank), 0),
      ['u32', n], ['u32', value],
    ]),
  });
}
