/**
 * ONNX Gather on 32-bit words. Indices are i32 (the runtime narrows int64 indices). For packed int8
 * ('i8x4') the axis must not be the channel axis.
 */
import code from './gather.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { type Elem, checkRank, sizeOf, wordShape } from './slice.ts';

/** Output shape: data shape with `axis` replaced by the indices' shape. */
export function gatherShape(shape: readonly number[], axis: number, indicesShape: readonly number[]): number[] {
  const a = axis < 0 ? axis + shape.length : axis;
  return [...shape.slice(0, a), ...indicesShape, ...shape.slice(a + 1)];
}

/** Bindings: input (u32 words), indices (i32), output (u32 words), u. */
export function gatherKernel(shape: readonly number[], axis: number, numIndices: number, elem: Elem = 'f32'): KernelSpec {
  checkRank('Gather', shape);
  const a = axis < 0 ? axis + shape.length : axis;
  if (a < 0 || a >= shape.length) throw new Error(`Gather: axis ${axis} out of range for shape [${shape}]`);
  if (elem === 'i8x4' && a === shape.length - 1) throw new Error('Gather: packed int8 cannot gather along the channel axis');
  const words = wordShape(shape, elem);
  const inner = sizeOf(words.slice(a + 1));
  const n = sizeOf(words.slice(0, a)) * numIndices * inner;
  const WG = 256;
  return gridKernel({
    name: 'gather', params: {}, code, WG, count: n,
    bindings: [
      { name: 'input', kind: 'read-only-storage' },
      { name: 'indices', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    uniforms: packUniforms([['u32', n], ['u32', words[a]], ['u32', numIndices], ['u32', inner]]),
  });
}
