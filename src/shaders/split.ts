/**
 * ONNX Split as one strided copy per output (slice.wgsl). Packed int8 ('i8x4') along the channel (last) axis
 * needs every part but the last to have a channel count that is a multiple of 4.
 */
import { ceilDiv, type KernelSpec } from './kernel.ts';
import { type Elem, checkRank, rowMajorStrides, stridedCopyKernel, wordShape } from './slice.ts';

/** Part sizes: the given `split`, or `parts` equal parts (the last one smaller, as in ONNX opset 18). */
export function splitSizes(dim: number, split?: readonly number[], parts = 2): number[] {
  if (split) {
    if (split.reduce((a, b) => a + b, 0) !== dim) throw new Error(`Split: sizes [${split}] do not add up to ${dim}`);
    return [...split];
  }
  const each = ceilDiv(dim, parts);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
}

/** One kernel per output j, bound as { input, output: outputs[j] }. Bindings: input, output (u32 words), u. */
export function splitKernels(shape: readonly number[], axis: number, sizes: readonly number[], elem: Elem = 'f32'): KernelSpec[] {
  checkRank('Split', shape);
  const a = axis < 0 ? axis + shape.length : axis;
  if (sizes.reduce((x, y) => x + y, 0) !== shape[a]) throw new Error(`Split: sizes [${sizes}] do not add up to dim ${shape[a]} of [${shape}]`);
  if (elem === 'i8x4' && a === shape.length - 1 && sizes.slice(0, -1).some((s) => s % 4)) {
    throw new Error(`Split: packed int8 channel split needs sizes that are multiples of 4 except the last ([${sizes}])`);
  }
  const inStrides = rowMajorStrides(wordShape(shape, elem));
  let offset = 0;
  return sizes.map((size) => {
    const part = [...shape];
    part[a] = size;
    const words = wordShape(part, elem);
    const spec = stridedCopyKernel({
      shape: words,
      srcStrides: inStrides,
      dstStrides: rowMajorStrides(words),
      srcOffset: offset * inStrides[a],
      dstOffset: 0,
    }, 'split');
    offset += words[a];
    return spec;
  });
}
