/**
 * Weight-only int8 / int4 GEMM with f32 activations: gemm_f32.ts's kernel with weights dequantized in the
 * shader. Buffers as in gemm_f32.ts, plus `scales` after `weights`; both from `packGemmWeightsWo`.
 */
import type { Activation } from './activation.ts';
import type { DeviceCaps, KernelSpec } from './kernel.ts';
import type { RegTile } from './conv2d_f32.ts';
import { type GemmShape, gemmKernelSpec } from './gemm_f32.ts';
import { type WoOptions, type WoWeights, quantizeWo } from './conv2d_wo.ts';
import { packGemmWeightsF32 } from './pack-float.ts';

export interface GemmWoParams {
  bits: 8 | 4;
  /** Rows (along K) per scale block, as packed by `packGemmWeightsWo`; default K (per output channel). */
  groupSize?: number;
  act?: Activation;
  residual?: boolean;
  tile?: RegTile;
}

/**
 * Quantizes and packs GEMM B ([K][N], or [N][K] with `transB`) symmetrically per column and per block of
 * `groupSize` rows. `dequant` comes back as [K][N] (or [N][K] with `transB`), matching `b`.
 */
export function packGemmWeightsWo(b: Float32Array, k: number, n: number, opts: WoOptions & { transB?: boolean }): WoWeights {
  const pad = opts.bits === 4 ? Math.ceil(n / 8) * 8 : Math.ceil(n / 4) * 4;
  return quantizeWo(b, (w) => packGemmWeightsF32(w, k, n, opts.transB, pad), k, pad, opts, `gemm ${k}x${n}`);
}

/** Weight-only GEMM kernel; `shape.bBatched` is not supported (weights are constants). */
export function gemmWoKernel(shape: GemmShape, params: GemmWoParams, caps: DeviceCaps): KernelSpec {
  if (shape.bBatched) throw new Error('gemm_wo: batched weights are not supported (weight-only weights are constants)');
  const residual = params.residual ?? false;
  const gs = params.groupSize ?? shape.k;
  return gemmKernelSpec('gemm_wo', shape, { act: params.act, residual, bits: params.bits, gs },
    { act: params.act, residual, format: params.bits === 8 ? 'w8' : 'w4', tile: params.tile, blocks: { gs } }, caps);
}
