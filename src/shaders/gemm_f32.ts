/**
 * GEMM / MatMul / fully connected with f32 activations: C[b] = act(A[b] . B[b] + bias (+ residual[b])).
 * Runs on the 1x1 conv kernel (conv2d_f32_1x1.wgsl): rows M are "pixels", K input and N output channels;
 * workgroup z is the batch.
 *
 * Buffers (bindings in this order):
 * - `input`: A, f32 row-major [batch][M][K].
 * - `weights`: B packed by `packGemmWeightsF32` to [K][N padded to 4] f32 (ONNX Gemm transB / FC [out][in]
 *   weights via its `transB` flag); f16 formats: `packF16Pairs` of that. With `bBatched`, [batch][K][NPad]
 *   (an activation [batch][K][N] is already in this layout when N % 4 == 0).
 * - `scales` (weight-only, gemm_wo.ts only).
 * - `bias`: f32[N] (`packBias`; zeros for none).
 * - `residual` (when `params.residual`): f32 [batch][M][N], added before the activation (ONNX Gemm's C when it
 *   is a full matrix).
 * - `output`: f32 [batch][M][N]; `u`: uniforms (from the spec).
 */
import { type Activation, activationConstants } from './activation.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import { type ConvShape, convShape } from './conv-shape.ts';
import { type ScaleBlocks, type WeightFormat, assembleConv, convUniforms, coutGroupPadded, woConstants } from './conv2d_f32_common.ts';
import type { RegTile } from './conv2d_f32.ts';
import oneByOneCode from './conv2d_f32_1x1.wgsl?raw';

export interface GemmShape {
  m: number;
  k: number;
  n: number;
  /** Default 1. */
  batch?: number;
  /** One B per batch (MatMul of two batched tensors); default false: one B shared by all batches. */
  bBatched?: boolean;
}

export interface GemmF32Params {
  act?: Activation;
  residual?: boolean;
  /** Default `f32`; `f16` needs caps.f16, `f16pack` works everywhere. */
  weights?: Exclude<WeightFormat, 'w8' | 'w4'>;
  /** Register tile; default 4 rows x 2 vec4 columns (1 row when M == 1, the fully-connected case). */
  tile?: RegTile;
}

/** GEMM as a 1x1 conv over an M x 1 image: the conv geometry the uniforms and packers use. */
export function gemmAsConv(s: GemmShape): ConvShape {
  if (s.m < 1 || s.k < 1 || s.n < 1) throw new Error(`gemm: empty shape M=${s.m} K=${s.k} N=${s.n}`);
  return convShape({ n: 1, h: s.m, w: 1, cin: s.k, cout: s.n, kh: 1, kw: 1 });
}

export function defaultGemmTile(s: GemmShape): RegTile {
  return s.m === 1 ? { tm: 1, tn4: 2, wg: 64 } : { tm: 4, tn4: 2, wg: 64 };
}

/** Shared by gemmF32Kernel and gemmWoKernel. */
export function gemmKernelSpec(
  name: string,
  shape: GemmShape,
  keyParams: object,
  opts: { act?: Activation; residual: boolean; format: WeightFormat; tile?: RegTile; blocks?: ScaleBlocks },
  caps: DeviceCaps,
): KernelSpec {
  const tile = opts.tile ?? defaultGemmTile(shape);
  if (tile.tm < 1 || tile.tm > 4 || tile.tn4 < 1 || tile.tn4 > 4) throw new Error(`${name}: tile ${JSON.stringify(tile)} outside 1..4`);
  if (tile.wg > caps.maxInvocations) throw new Error(`${name}: ${tile.wg} invocations > device limit ${caps.maxInvocations}`);
  const cs = gemmAsConv(shape);
  const batch = shape.batch ?? 1;
  if (batch > 65535) throw new Error(`${name}: batch ${batch} > 65535`);
  const { code, bindings } = assembleConv(oneByOneCode, opts.format, opts.residual, caps);
  const cg4 = coutGroupPadded(cs, opts.format) / 4;
  const [x, y] = dispatch1d(ceilDiv(ceilDiv(shape.m, tile.tm) * ceilDiv(cg4, tile.tn4), tile.wg));
  return {
    name,
    key: kernelKey(name, { shape, ...keyParams, tile }),
    code,
    entryPoint: 'main',
    constants: { WG: tile.wg, TM: tile.tm, TN4: tile.tn4, ...activationConstants(opts.act), ...woConstants(opts.format, opts.blocks, shape.k) },
    bindings,
    dispatch: [x, y, batch],
    uniforms: convUniforms(cs, cs, opts.format, opts.blocks, shape.bBatched ? 1 : 0),
  };
}

/** GEMM with f32 activations and f32/f16 weights; see the file comment for buffers and layouts. */
export function gemmF32Kernel(shape: GemmShape, params: GemmF32Params, caps: DeviceCaps): KernelSpec {
  const format = params.weights ?? 'f32';
  const residual = params.residual ?? false;
  return gemmKernelSpec('gemm_f32', shape, { act: params.act, residual, weights: format },
    { act: params.act, residual, format, tile: params.tile }, caps);
}
