/**
 * The binding layouts of the integer conv kernels, from one place: the WGSL declarations their builders append
 * (conv2d_int_bindings_{w8,w4}.wgsl) and the matching `bindings` lists (checked against the WGSL by
 * test/helpers/reflect.ts). W8 kernels: input, weights, chan, residual, lut, output, u; W4 kernels add `qgroups`
 * (per quant group multipliers) after chan.
 */
import w8Code from './conv2d_int_bindings_w8.wgsl?raw';
import w4Code from './conv2d_int_bindings_w4.wgsl?raw';
import type { BindingSpec } from './kernel.ts';

const ro = (name: string): BindingSpec => ({ name, kind: 'read-only-storage' });
const tail: BindingSpec[] = [ro('residual'), ro('lut'), { name: 'output', kind: 'storage' }, { name: 'u', kind: 'uniform' }];

/** W8A8, fma, depthwise and smem kernels. */
export const INT_CONV_BINDINGS: BindingSpec[] = [ro('input'), ro('weights'), ro('chan'), ...tail];
/** W4A8 kernels (register and smem). */
export const W4_CONV_BINDINGS: BindingSpec[] = [ro('input'), ro('weights'), ro('chan'), ro('qgroups'), ...tail];

/** WGSL declarations shared by each layout (the kernels declare what is not listed in the file's comment). */
export const INT_BINDINGS_CODE = { w8: w8Code, w4: w4Code } as const;
