/**
 * ONNX Concat as one strided copy per input (slice.wgsl) into the shared output buffer; the calls are encoded
 * in one pass and touch disjoint words. Packed int8 ('i8x4') along the channel (last) axis needs every input
 * but the last to have a channel count that is a multiple of 4 (so each starts on a word boundary).
 */
import type { KernelSpec } from './kernel.ts';
import { type Elem, checkRank, rowMajorStrides, stridedCopyKernel, wordShape } from './slice.ts';

export function concatShape(shapes: readonly (readonly number[])[], axis: number): number[] {
  const rank = shapes[0].length;
  const a = axis < 0 ? axis + rank : axis;
  shapes.forEach((s) => {
    if (s.length !== rank || s.some((d, i) => i !== a && d !== shapes[0][i])) {
      throw new Error(`Concat: shapes ${shapes.map((x) => `[${x}]`).join(', ')} differ outside axis ${axis}`);
    }
  });
  const out = [...shapes[0]];
  out[a] = shapes.reduce((acc, s) => acc + s[a], 0);
  return out;
}

/** One kernel per input i, bound as { input: inputs[i], output }. Bindings: input, output (u32 words), u. */
export function concatKernels(shapes: readonly (readonly number[])[], axis: number, elem: Elem = 'f32'): KernelSpec[] {
  const outShape = concatShape(shapes, axis);
  checkRank('Concat', outShape);
  const a = axis < 0 ? axis + outShape.length : axis;
  const packedAxis = elem === 'i8x4' && a === outShape.length - 1;
  if (packedAxis && shapes.slice(0, -1).some((s) => s[a] % 4)) {
    throw new Error(`Concat: packed int8 channel concat needs channel counts that are multiples of 4 except the last (${shapes.map((s) => s[a])})`);
  }
  const outStrides = rowMajorStrides(wordShape(outShape, elem));
  let offset = 0;
  return shapes.map((s) => {
    const words = wordShape(s, elem);
    const spec = stridedCopyKernel({
      shape: words,
      srcStrides: rowMajorStrides(words),
      dstStrides: outStrides,
      srcOffset: 0,
      dstOffset: offset * outStrides[a],
    }, 'concat');
    offset += words[a];
    return spec;
  });
}
