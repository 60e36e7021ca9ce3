/**
 * MaxPool / AveragePool / GlobalAveragePool on NHWC f32 (pool.wgsl) and packed int8 (pool_int8.wgsl).
 * ONNX semantics: asymmetric pads, dilations, ceil_mode (a window may not start in the bottom/right padding),
 * count_include_pad (counts taps inside the padded extent only). Reference: test/reference/pool.ts.
 */
import poolCode from './pool.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import int8Code from './pool_int8.wgsl?raw';
import { type KernelSpec, type UniformField, ceilDiv, dispatch1d, kernelKey, packUniforms } from './kernel.ts';
import { type FixedMultiplier, fixedMultiplier, multiplierFields, requantizeMathCode } from './requantize-math.ts';
import type { QParams } from './requantize.ts';

export interface PoolParams {
  kind: 'max' | 'avg';
  kh: number;
  kw: number;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  padTop?: number;
  padLeft?: number;
  padBottom?: number;
  padRight?: number;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** NHWC input; `c` is the real channel count. */
export interface PoolShape {
  n: number;
  h: number;
  w: number;
  c: number;
}

type Full = Required<PoolParams>;
const full = (p: PoolParams): Full => ({
  strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0,
  ceilMode: false, countIncludePad: false, ...p,
});

function outLen(len: number, k: number, s: number, d: number, p0: number, p1: number, ceil: boolean): number {
  const span = len + p0 + p1 - ((k - 1) * d + 1);
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= len + p0) out -= 1; // the last window would start inside the end padding
  return out;
}

export function poolOutSize(shape: PoolShape, params: PoolParams): { outH: number; outW: number } {
  const p = full(params);
  const outH = outLen(shape.h, p.kh, p.strideH, p.dilationH, p.padTop, p.padBottom, p.ceilMode);
  const outW = outLen(shape.w, p.kw, p.strideW, p.dilationW, p.padLeft, p.padRight, p.ceilMode);
  if (outH <= 0 || outW <= 0) throw new Error(`${p.kind}pool: output ${outH}x${outW} from input ${shape.h}x${shape.w} is empty`);
  return { outH, outW };
}

function geometry(shape: PoolShape, p: Full, c: number): { fields: UniformField[]; n: number } {
  const { outH, outW } = poolOutSize(shape, p);
  const n = shape.n * outH * outW * c;
  const u = (v: number): UniformField => ['u32', v];
  const i = (v: number): UniformField => ['i32', v];
  return {
    n,
    fields: [
      u(n), u(shape.h), u(shape.w), u(c), u(outH), u(outW), u(p.kh), u(p.kw),
      u(p.strideH), u(p.strideW), u(p.dilationH), u(p.dilationW),
      i(p.padTop), i(p.padLeft), i(shape.h + p.padBottom), i(shape.w + p.padRight),
    ],
  };
}

const BINDINGS = [
  { name: 'input', kind: 'read-only-storage' },
  { name: 'output', kind: 'storage' },
  { name: 'u', kind: 'uniform' },
] as const;

/** f32 NHWC pooling. Bindings: input, output (f32 NHWC), u. */
export function poolKernel(params: PoolParams, shape: PoolShape): KernelSpec {
  const p = full(params);
  const { fields, n } = geometry(shape, p, shape.c);
  const WG = 64;
  return {
    name: `${p.kind}pool_f32`,
    key: kernelKey('pool_f32', { WG, kind: p.kind, countIncludePad: p.countIncludePad }),
    code: `${poolCode}\n${nanCode}`,
    entryPoint: 'main',
    constants: { WG, MAX: p.kind === 'max' ? 1 : 0, COUNT_PAD: p.countIncludePad ? 1 : 0 },
    bindings: [...BINDINGS],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms(fields),
  };
}

/** GlobalAveragePool as an average pool whose window is the whole image. */
export function globalAvgPoolKernel(shape: PoolShape): KernelSpec {
  return poolKernel({ kind: 'avg', kh: shape.h, kw: shape.w }, shape);
}

/**
 * Packed int8 NHWC pooling. Max pool keeps the input's qparams; average pool requires the output qparams to
 * equal the input's (only `input.zeroPoint` is used) and rounds half to even (ONNX QuantizeLinear's rounding).
 * Bindings: input, output (packed int8 words), u.
 */
export function poolInt8Kernel(params: PoolParams, shape: PoolShape, input: QParams): KernelSpec {
  return int8Spec(full(params), shape, params.kind === 'max' ? 0 : 1, input.zeroPoint, input.zeroPoint, { m0: 0, r: 1 });
}

/** GlobalAveragePool on packed int8 with output requantization (fixed-point, see requantize-math.ts). */
export function globalAvgPoolInt8Kernel(shape: PoolShape, input: QParams, output: QParams): KernelSpec {
  const f = fixedMultiplier(input.scale / (output.scale * shape.h * shape.w), 'GlobalAveragePool int8 scale');
  return int8Spec(full({ kind: 'avg', kh: shape.h, kw: shape.w }), shape, 2, input.zeroPoint, output.zeroPoint, f);
}

function int8Spec(p: Full, shape: PoolShape, kind: number, zp: number, zpOut: number, f: FixedMultiplier): KernelSpec {
  const { fields, n } = geometry(shape, p, ceilDiv(shape.c, 4));
  const WG = 64;
  const names = ['maxpool_int8', 'avgpool_int8', 'global_avgpool_int8'];
  return {
    name: names[kind],
    key: kernelKey('pool_int8', { WG, kind, countIncludePad: p.countIncludePad }),
    code: `${int8Code}\n${requantizeMathCode}`,
    entryPoint: 'main',
    constants: { WG, KIND: kind, COUNT_PAD: p.countIncludePad ? 1 : 0 },
    bindings: [...BINDINGS],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms([...fields, ['i32', zp], ['i32', zpOut], ...multiplierFields(f)]),
  };
}
