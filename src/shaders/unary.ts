import code from './unary.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import { type Activation, activationConstants } from './activation.ts';
import { type KernelSpec, ceilDiv, dispatch1d, kernelKey, packUniforms } from './kernel.ts';

/** The elementwise op applied before the activation (ONNX names in comments). */
export type UnaryOp =
  | { kind: 'identity' }
  | { kind: 'exp' } | { kind: 'log' } | { kind: 'sqrt' }
  | { kind: 'rsqrt' } // 1 / sqrt(x)
  | { kind: 'tanh' } | { kind: 'neg' } | { kind: 'abs' }
  | { kind: 'reciprocal' } | { kind: 'floor' } | { kind: 'ceil' }
  | { kind: 'round' } // half to even
  | { kind: 'erf' } // polynomial approximation, |error| <= 1.5e-7
  | { kind: 'pow'; exponent: number } // Pow with a constant exponent
  | { kind: 'affine'; scale: number; bias: number }; // x * scale + bias (Mul/Add by scalar constants)

export const UNARY_OP: Record<UnaryOp['kind'], number> = {
  identity: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, tanh: 5, neg: 6, abs: 7, reciprocal: 8, floor: 9, ceil: 10,
  round: 11, erf: 12, pow: 13, affine: 14,
};

export interface UnaryParams {
  /** Default identity: the kernel is then a plain activation. */
  op?: UnaryOp;
  act: Activation;
}

function opConstants(op: UnaryOp): Record<string, number> {
  const c = { OP: UNARY_OP[op.kind], OP_A: 0, OP_B: 0 };
  if (op.kind === 'pow') c.OP_A = op.exponent;
  if (op.kind === 'affine') Object.assign(c, { OP_A: op.scale, OP_B: op.bias });
  return c;
}

/** Elementwise `activate(op(x))` over `n` f32 values. Bindings: input, output (f32), u. */
export function unaryKernel(params: UnaryParams, n: number): KernelSpec {
  const WG = 256;
  return {
    name: 'unary_f32',
    key: kernelKey('unary_f32', params),
    code: `${code}\n${nanCode}\n${activationCode}`,
    entryPoint: 'main',
    constants: { WG, ...opConstants(params.op ?? { kind: 'identity' }), ...activationConstants(params.act) },
    bindings: [
      { name: 'input', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms([['u32', n]]),
  };
}
