import code from './unary.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import { type Activation, activationConstants } from './activation.ts';
import { type KernelSpec, ceilDiv, dispatch1d, kernelKey, packUniforms } from './kernel.ts';

export interface UnaryParams {
  act: Activation;
}

/** Elementwise activation over `n` f32 values. */
export function unaryKernel(params: UnaryParams, n: number): KernelSpec {
  const WG = 256;
  return {
    name: 'unary_f32',
    key: kernelKey('unary_f32', params),
    code: `${code}\n${activationCode}`,
    entryPoint: 'main',
    constants: { WG, ...activationConstants(params.act) },
    bindings: [
      { name: 'input', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms([['u32', n]]),
  };
}
