import opCode from './softmax.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import { type KernelSpec, gridKernel, packUniforms } from './kernel.ts';
import { sizeOf } from './slice.ts';

export interface SoftmaxParams {
  axis: number;
  /** LogSoftmax instead of Softmax. */
  log?: boolean;
}

/** Softmax along `axis` (negative counts from the end) of a row-major f32 tensor. Bindings: input, output, u. */
export function softmaxKernel(shape: readonly number[], p: SoftmaxParams): KernelSpec {
  const a = p.axis < 0 ? p.axis + shape.length : p.axis;
  if (a < 0 || a >= shape.length) throw new Error(`Softmax: axis ${p.axis} out of range for shape [${shape}]`);
  const len = shape[a];
  const inner = sizeOf(shape.slice(a + 1));
  const lanes = sizeOf(shape.slice(0, a)) * inner;
  const WG = 64;
  const log = p.log ?? false;
  return gridKernel({
    name: 'softmax', params: { log }, code: `${opCode}\n${nanCode}`, constants: { LOG: log ? 1 : 0 }, WG, count: lanes,
    uniforms: packUniforms([['u32', lanes], ['u32', len], ['u32', inner]]),
  });
}
