/**
 * What the float-activation conv and GEMM kernels share: the uniform block (`U` in conv2d_f32_common.wgsl),
 * the binding declarations, the weight loaders (one per weight format) and how a kernel's WGSL is assembled.
 *
 * Assembly is plain concatenation: `[enable f16;] + bindings + conv2d_f32_common.wgsl + loader + body +
 * activation.wgsl`. The binding declarations are written from the same table that becomes
 * `KernelSpec.bindings`, because the optional `scales` / `residual` bindings shift every later index; the
 * only text switch is `// #if NAME` / `// #else` / `// #endif` (see `preprocess`).
 */
import commonCode from './conv2d_f32_common.wgsl?raw';
import loadF32 from './conv2d_f32_load_f32.wgsl?raw';
import loadF16Pack from './conv2d_f32_load_f16pack.wgsl?raw';
import loadF16 from './conv2d_f32_load_f16.wgsl?raw';
import loadW8 from './conv2d_wo_load_w8.wgsl?raw';
import loadW4 from './conv2d_wo_load_w4.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import { type BindingKind, type BindingSpec, type DeviceCaps, type UniformField, packUniforms } from './kernel.ts';
import { type ConvShape, convOutSize } from './conv-shape.ts';

/**
 * How the weights are stored; all share the row order of `packConvWeightsF32` (pack-float.ts).
 * - `f32`: array<vec4f>.
 * - `f16pack`: f16 pairs in u32 (any device; f32 compute). `f16`: same bytes read as vec4<f16> (needs caps.f16).
 * - `w8` / `w4`: weight-only int8 / int4 plus a `scales` binding (conv2d_wo.ts).
 */
export type WeightFormat = 'f32' | 'f16pack' | 'f16' | 'w8' | 'w4';

const loaders: Record<WeightFormat, { code: string; type: string }> = {
  f32: { code: loadF32, type: 'array<vec4f>' },
  f16pack: { code: loadF16Pack, type: 'array<vec2<u32>>' },
  f16: { code: loadF16, type: 'array<vec4<f16>>' },
  w8: { code: loadW8, type: 'array<u32>' },
  w4: { code: loadW4, type: 'array<u32>' },
};

/** Keeps or drops the lines between `// #if NAME`, `// #else` and `// #endif` (not nested). */
export function preprocess(code: string, defines: Record<string, boolean>): string {
  const out: string[] = [];
  let keep = true;
  for (const line of code.split('\n')) {
    const m = /^\s*\/\/ #(if|else|endif)\s*(\w*)/.exec(line);
    if (!m) {
      if (keep) out.push(line);
      continue;
    }
    if (m[1] === 'if') {
      if (!(m[2] in defines)) throw new Error(`preprocess: undefined name ${m[2]}`);
      keep = defines[m[2]];
    } else keep = m[1] === 'else' ? !keep : true;
  }
  return out.join('\n');
}

interface WgslBinding extends BindingSpec {
  type: string;
}

function declare(b: WgslBinding, i: number): string {
  const space: Record<BindingKind, string> = {
    'read-only-storage': 'storage, read',
    storage: 'storage, read_write',
    uniform: 'uniform',
  };
  return `@group(0) @binding(${i}) var<${space[b.kind]}> ${b.name}: ${b.type};`;
}

/**
 * The conv kernels' bindings, in order: input, weights, [scales], bias, [residual], output, u. `vec4Input`
 * declares the input as array<vec4f> (same bytes; only when the channel count is a multiple of 4).
 */
export function convBindings(format: WeightFormat, residual: boolean, vec4Input = false): WgslBinding[] {
  const ro = 'read-only-storage' as const;
  const list: WgslBinding[] = [
    { name: 'input', kind: ro, type: vec4Input ? 'array<vec4f>' : 'array<f32>' },
    { name: 'weights', kind: ro, type: loaders[format].type },
  ];
  if (format === 'w8' || format === 'w4') list.push({ name: 'scales', kind: ro, type: 'array<vec4f>' });
  list.push({ name: 'bias', kind: ro, type: 'array<f32>' });
  if (residual) list.push({ name: 'residual', kind: ro, type: 'array<f32>' });
  list.push({ name: 'output', kind: 'storage', type: 'array<f32>' }, { name: 'u', kind: 'uniform', type: 'U' });
  return list;
}

/**
 * The full WGSL module of a float conv/GEMM kernel: bindings, `U` + `store`, `load_w4`, body, `activate`.
 * Defines for `// #if`: RESIDUAL, VEC4_INPUT.
 */
export function assembleConv(body: string, format: WeightFormat, residual: boolean, caps: DeviceCaps, vec4Input = false): {
  code: string;
  bindings: BindingSpec[];
} {
  if (format === 'f16' && !caps.f16) throw new Error('conv2d_f32: weight format f16 needs shader-f16 (use f16pack)');
  const list = convBindings(format, residual, vec4Input);
  const defines = { RESIDUAL: residual, VEC4_INPUT: vec4Input };
  const parts = [
    format === 'f16' ? 'enable f16;' : '',
    list.map(declare).join('\n'),
    preprocess(commonCode, defines),
    loaders[format].code,
    preprocess(body, defines),
    nanCode,
    activationCode,
  ];
  return { code: parts.join('\n'), bindings: list.map(({ name, kind }) => ({ name, kind })) };
}

/** Weight-only scale blocking: `gs` consecutive global weight rows share a scale per output channel. */
export interface ScaleBlocks {
  gs: number;
}

/** `WO_GROUPED` of the weight-only loaders: false when one scale block is exactly one group's `rows`. */
export function woConstants(format: WeightFormat, blocks: ScaleBlocks | undefined, rows: number): Record<string, number> {
  if (format !== 'w8' && format !== 'w4') return {};
  return { WO_GROUPED: (blocks?.gs ?? rows) === rows ? 0 : 1 };
}

/** Output channels per group rounded up to whole vec4 (int4 to whole u32: 8 channels). */
export function coutGroupPadded(shape: ConvShape, format: WeightFormat): number {
  const coutG = shape.cout / shape.groups;
  return format === 'w4' ? Math.ceil(coutG / 8) * 8 : Math.ceil(coutG / 4) * 4;
}

/** Reduction length of one group: kh * kw * cin / groups. */
export const reductionLength = (s: ConvShape): number => s.kh * s.kw * (s.cin / s.groups);

/**
 * The `U` block of conv2d_f32_common.wgsl. Geometry comes from `shape`; the weight view (groups, cin_g,
 * cout_g, cg4, kk) from `wShape`, which differs for depthwise (one group of cout channels, cin 1).
 */
export function convUniforms(
  shape: ConvShape,
  wShape: ConvShape,
  format: WeightFormat,
  blocks?: ScaleBlocks,
): Uint32Array<ArrayBuffer> {
  const { outH, outW } = convOutSize(shape);
  const s = shape;
  const kk = reductionLength(wShape);
  const fields: number[] = [
    s.n, s.h, s.w, s.cin,
    outH, outW, s.cout, s.n * outH * outW,
    s.kh, s.kw, s.strideH, s.strideW,
    s.dilationH, s.dilationW, s.padTop, s.padLeft,
    wShape.groups, wShape.cin / wShape.groups, wShape.cout / wShape.groups, coutGroupPadded(wShape, format) / 4,
    kk, blocks?.gs ?? kk, 0, 0,
  ];
  return packUniforms(fields.map((v): UniformField => ['u32', v]));
}
