/**
 * Float elementwise binary ops with numpy broadcasting (rank <= 6) and a fused activation, plus the
 * broadcasting helpers shared with the int8 kernel (eltwise_int8.ts).
 */
import code from './binary.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import { type Activation, activationConstants } from './activation.ts';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { checkRank, rowMajorStrides, sizeOf, slotFields } from './slice.ts';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min';
export const BINARY_OP: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6 };

export interface BinaryParams {
  op: BinaryOp;
  act?: Activation;
}

/** numpy broadcasting; names the op and both shapes when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[], op = 'binary'): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - r + a.length] ?? 1;
    const y = b[i - r + b.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${op}: shapes [${a}] and [${b}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** Strides of `shape` (right-aligned to `rank` dims) in units of `strides`, 0 on broadcast dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[], strides = rowMajorStrides(shape)): number[] {
  const off = outShape.length - shape.length;
  return outShape.map((d, i) => (i < off || shape[i - off] === 1 ? 0 : strides[i - off]));
}

/** Bindings: a, b (f32), output (f32, row-major in the broadcast shape), u. */
export function binaryKernel(params: BinaryParams, aShape: readonly number[], bShape: readonly number[]): KernelSpec {
  const shape = broadcastShape(aShape, bShape, params.op);
  checkRank(params.op, shape);
  const WG = 256;
  const n = sizeOf(shape);
  return gridKernel({
    name: `binary_${params.op}`, family: 'binary_f32', params: { ...params }, code: `${code}\n${nanCode}\n${activationCode}`,
    constants: { OP: BINARY_OP[params.op], ...activationConstants(params.act) }, WG, count: n,
    bindings: [
      { name: 'a', kind: 'read-only-storage' },
      { name: 'b', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    uniforms: packUniforms([
      ...slotFields('u32', shape, 1),
      ...slotFields('u32', broadcastStrides(aShape, shape), 0),
      ...slotFields('u32', broadcastStrides(bShape, shape), 0),
      ['u32', n],
    ]),
  });
}
