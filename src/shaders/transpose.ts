/**
 * ONNX Transpose (any perm, rank <= 6) as one strided copy (slice.wgsl); it is also the NCHW <-> NHWC layout
 * converter for float tensors (perm [0,2,3,1] / [0,3,1,2]). Packed int8 ('i8x4') tensors move whole words,
 * so their channel (last) axis must stay last.
 */
import type { KernelSpec } from './kernel.ts';
import { type Elem, checkRank, rowMajorStrides, stridedCopyKernel, wordShape } from './slice.ts';

export function transposeShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p]);
}

/** Bindings: input, output (u32 words), u. `perm` defaults to reversing the axes, as in ONNX. */
export function transposeKernel(shape: readonly number[], perm?: readonly number[], elem: Elem = 'f32'): KernelSpec {
  checkRank('Transpose', shape);
  const p = perm ?? shape.map((_, i) => shape.length - 1 - i);
  if (p.length !== shape.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`Transpose: perm [${p}] is not a permutation of the axes of shape [${shape}]`);
  }
  if (elem === 'i8x4' && p[p.length - 1] !== p.length - 1) {
    throw new Error(`Transpose: packed int8 needs the channel axis to stay last (perm [${p}])`);
  }
  const words = wordShape(shape, elem);
  const inStrides = rowMajorStrides(words);
  const outShape = transposeShape(words, p);
  return stridedCopyKernel({
    shape: outShape,
    srcStrides: p.map((a) => inStrides[a]),
    dstStrides: rowMajorStrides(outShape),
    srcOffset: 0,
    dstOffset: 0,
  }, 'transpose');
}
