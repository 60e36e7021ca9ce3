import { describe, expect, it } from 'vitest';
import { type GemmF32Params, type GemmShape, gemmF32Kernel } from '../src/shaders/gemm_f32.ts';
import { packBias, packF16Pairs, packGemmWeightsF32, roundToF16 } from '../src/shaders/pack-float.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { gemmRef } from './reference/gemm.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

async function gemmError(rng: Rng, shape: GemmShape, params: GemmF32Params & { transB?: boolean } = {}): Promise<number> {
  const { device, caps } = await testGpu();
  const { m, k, n } = shape;
  const batch = shape.batch ?? 1;
  const a = rng.floats(batch * m * k);
  const bCount = shape.bBatched ? batch : 1;
  const b = rng.floats(bCount * k * n);
  const bias = rng.floats(n);
  const residual = params.residual ? rng.floats(batch * m * n) : undefined;
  const spec = gemmF32Kernel(shape, params, caps);
  expectBindingsMatch(spec);
  const parts = Array.from({ length: bCount }, (_, z) => packGemmWeightsF32(b.subarray(z * k * n, (z + 1) * k * n), k, n, params.transB));
  const packed = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.forEach((p, z) => packed.set(p, z * p.length));
  const f16 = params.weights === 'f16pack';
  const inputs: Record<string, ArrayBufferView> = { input: a, weights: f16 ? packF16Pairs(packed) : packed, bias: packBias(bias, n) };
  if (residual) inputs.residual = residual;
  const out = await runKernel(device, spec, inputs, { output: batch * m * n * 4 });
  const want = gemmRef(a, f16 ? b.map(roundToF16) : b, m, k, n, { ...shape, transB: params.transB, bias, residual, act: params.act });
  return relError(new Float32Array(out.output), want);
}

describe('gemm_f32 matches the CPU reference', () => {
  const cases: [string, GemmShape, GemmF32Params & { transB?: boolean }][] = [
    ['odd M, K, N', { m: 13, k: 17, n: 11 }, {}],
    ['M = 1 (fully connected), transB', { m: 1, k: 37, n: 19 }, { transB: true }],
    ['tile 3x3', { m: 7, k: 5, n: 23 }, { tile: { tm: 3, tn4: 3, wg: 16 } }],
    ['tile 1x4, relu', { m: 9, k: 33, n: 40 }, { tile: { tm: 1, tn4: 4, wg: 32 }, act: { kind: 'relu' } }],
    ['batched A, shared B', { m: 5, k: 9, n: 7, batch: 3 }, {}],
    ['batched A and B (MatMul)', { m: 6, k: 10, n: 8, batch: 3, bBatched: true }, {}],
    ['residual (Gemm C matrix) + sigmoid', { m: 11, k: 12, n: 9 }, { residual: true, act: { kind: 'sigmoid' } as Activation }],
    ['f16pack weights', { m: 10, k: 21, n: 13 }, { weights: 'f16pack' }],
  ];
  for (const [name, shape, params] of cases) {
    it(name, async () => {
      expect(await gemmError(testRng(), shape, params)).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('gemm_f32 packing', () => {
  it('transB packs [N][K] to [K][N padded to 4]', () => {
    const rng = testRng();
    const b = rng.floats(5 * 3); // N=5, K=3
    const p = packGemmWeightsF32(b, 3, 5, true);
    expect(p.length).toBe(3 * 8);
    expect(p[2 * 8 + 4]).toBe(b[4 * 3 + 2]);
    expect(p[2 * 8 + 5]).toBe(0);
  });
});
