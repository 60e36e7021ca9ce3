/**
 * CPU reference of GEMM / MatMul: C[b] = act(A[b] . B[b] + bias + residual[b]), A [M][K], B [K][N] row-major
 * (or [N][K] with `transB`), one B for all batches unless `bBatched`. Accumulates in f64.
 */
import { type Activation, activateRef } from '../../src/shaders/activation.ts';

export interface GemmRefOptions {
  batch?: number;
  transB?: boolean;
  bBatched?: boolean;
  bias?: Float32Array;
  residual?: Float32Array;
  act?: Activation;
}

export function gemmRef(a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: GemmRefOptions = {}): Float32Array {
  const batch = opts.batch ?? 1;
  const out = new Float32Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const bOff = opts.bBatched ? z * k * n : 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const bv = opts.transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
          acc += a[(z * m + i) * k + p] * bv;
        }
        const o = (z * m + i) * n + j;
        acc += (opts.bias ? opts.bias[j] : 0) + (opts.residual ? opts.residual[o] : 0);
        out[o] = activateRef(Math.fround(acc), opts.act);
      }
    }
  }
  return out;
}
