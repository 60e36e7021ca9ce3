/**
 * GEMM: int8 (int8 requantized and f32 dequantized outputs, both dot products), W4A8 per group along K, and
 * f32 (transB, batched, f16-pair weights). Set up as in test/gemm_int8.test.ts and test/gemm_f32.test.ts; the
 * integer references are the direct definitions written there (small enough to restate), the float one
 * test/reference/gemm.ts.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { runKernel } from '../../../src/gpu/exec.ts';
import { mulShiftRound } from '../../../src/quant/fixedpoint.ts';
import { activateRef } from '../../../src/shaders/activation.ts';
import { packConvW4, packW4Params, quantizeConvW4 } from '../../../src/shaders/conv2d_int_pack_w4.ts';
import type { DotImpl } from '../../../src/shaders/conv2d_w8a8.ts';
import { type GemmF32Params, type GemmShape, gemmF32Kernel } from '../../../src/shaders/gemm_f32.ts';
import { type GemmDims, gemmConvShape, gemmInt8Kernel, gemmWeightsOIHW } from '../../../src/shaders/gemm_int8.ts';
import { gemmW4A8Kernel, gemmW4Layout } from '../../../src/shaders/gemm_w4a8.ts';
import { packBias, packF16Pairs, packGemmWeightsF32, roundToF16 } from '../../../src/shaders/pack-float.ts';
import {
  packChannelParams, packConvW8, packInt8Activations, quantizeWeightsPerChannel, unpackInt8Activations,
} from '../../../src/shaders/pack-int.ts';
import { gemmRef } from '../../reference/gemm.ts';
import { type Case, EXACT, FLOAT_TOL, type Outcome, type Rng, exactOutcome, floatOutcome } from '../suite.ts';

const none = { kind: 'none' as const };

async function gemmInt8({ device }: GpuContext, r: Rng, d: GemmDims, out: 'int8' | 'f32', dot: DotImpl): Promise<Outcome> {
  const a = r.int8s(d.m * d.k);
  const zA = r.int(-20, 20);
  const sA = 0.03;
  // B [K][N] quantized per column: quantizeWeightsPerChannel works on its [N][K] (OIHW) view.
  const bT = r.floats(d.k * d.n);
  const wq = quantizeWeightsPerChannel(bT, d.n);
  const bq = new Int8Array(d.k * d.n);
  for (let k = 0; k < d.k; k++) for (let n = 0; n < d.n; n++) bq[k * d.n + n] = wq.q[n * d.k + k];
  const bias = r.floats(d.n);
  const sOut = (Math.sqrt(d.k) * 70 * 60 * sA * wq.scales[0]) / 40;
  const oihw = gemmWeightsOIHW(bq, d);
  const chan = packChannelParams(oihw, d.n, { sIn: sA, zIn: zA, sW: wq.scales, sOut, bias });
  const zOut = r.int(-10, 10);
  const epilogue = out === 'f32' ? { out: 'f32' as const, act: none } : { out: 'int8' as const, residual: false, lut: false };
  const spec = gemmInt8Kernel({ tile: { family: 'reg', tm: 4, tn4: 2, wg: 16 }, dot, epilogue }, d, { zIn: zA, zOut });
  const n4 = Math.ceil(d.n / 4);
  const res = await runKernel(device, spec, {
    input: packInt8Activations(a, 1, 1, d.m, d.k), weights: packConvW8(oihw, gemmConvShape(d)), chan,
    residual: new Uint32Array(4), lut: new Uint32Array(4),
  }, { output: out === 'f32' ? d.m * d.n * 4 : d.m * n4 * 4 });
  // acc[m][n] = bias_q[n] + sum_k (a[m][k] - zA) * b[k][n]
  const acc = new Int32Array(d.m * d.n);
  for (let m = 0; m < d.m; m++) for (let n = 0; n < d.n; n++) {
    let s = Math.round(bias[n] / (sA * wq.scales[n]));
    for (let k = 0; k < d.k; k++) s += (a[m * d.k + k] - zA) * bq[k * d.n + n];
    acc[m * d.n + n] = s;
  }
  if (out === 'f32') {
    const deq = new Float32Array(chan.buffer);
    const want = Float32Array.from(acc, (v, i) => activateRef(Math.fround(Math.fround(v) * deq[(i % d.n) * 4 + 3])));
    return floatOutcome(new Float32Array(res.output), want, spec.key);
  }
  const want = Int8Array.from(acc, (v, i) => Math.max(-128, Math.min(127, mulShiftRound(v, chan[(i % d.n) * 4 + 1], chan[(i % d.n) * 4 + 2]) + zOut)));
  return exactOutcome(unpackInt8Activations(new Uint32Array(res.output), 1, 1, d.m, d.n), want, spec.key);
}

async function gemmW4A8({ device }: GpuContext, r: Rng, d: GemmDims, groupSize: number): Promise<Outcome> {
  const s = gemmConvShape(d);
  const layout = gemmW4Layout(d, groupSize);
  const a = r.int8s(d.m * d.k);
  const zA = r.int(-20, 20);
  const { q, scales } = quantizeConvW4(r.floats(d.k * d.n), s, layout); // [N][K] float view
  const sOut = (0.03 * 0.1 * Math.sqrt(d.k) * 60) / 20;
  const { chan, qgroups } = packW4Params(q, s, layout, { sIn: 0.03, zIn: zA, sW: scales, sOut });
  const epilogue = { out: 'int8' as const, residual: false, lut: false };
  const spec = gemmW4A8Kernel({ tile: { family: 'reg', tm: 2, tn4: 1, wg: 16 }, dot: 'packed', epilogue }, d, layout, { zIn: zA, zOut: 0 });
  const res = await runKernel(device, spec, {
    input: packInt8Activations(a, 1, 1, d.m, d.k), weights: packConvW4(q, s, layout), chan, qgroups,
    residual: new Uint32Array(4), lut: new Uint32Array(4),
  }, { output: d.m * Math.ceil(d.n / 4) * 4 });
  // Per group along K: the raw sum scaled by the group's multiplier at 8 fraction bits, then round away the 8 bits.
  const want = new Int8Array(d.m * d.n);
  for (let m = 0; m < d.m; m++) for (let n = 0; n < d.n; n++) {
    let t = chan[n * 4] | 0;
    for (let g = 0; g < layout.ng; g++) {
      let isum = 0;
      for (let k = g * groupSize; k < Math.min(d.k, (g + 1) * groupSize); k++) isum += a[m * d.k + k] * q[n * d.k + k];
      t += mulShiftRound(isum, qgroups[(n * layout.ng + g) * 2], qgroups[(n * layout.ng + g) * 2 + 1] - 8);
    }
    want[m * d.n + n] = Math.max(-128, Math.min(127, Math.floor((t + 128) / 256)));
  }
  return exactOutcome(unpackInt8Activations(new Uint32Array(res.output), 1, 1, d.m, d.n), want, spec.key);
}

async function gemmF32({ device, caps }: GpuContext, r: Rng, shape: GemmShape, params: GemmF32Params & { transB?: boolean }): Promise<Outcome> {
  const { m, k, n } = shape;
  const batch = shape.batch ?? 1;
  const a = r.floats(batch * m * k);
  const bCount = shape.bBatched ? batch : 1;
  const b = r.floats(bCount * k * n);
  const bias = r.floats(n);
  const residual = params.residual ? r.floats(batch * m * n) : undefined;
  const spec = gemmF32Kernel(shape, params, caps);
  const parts = Array.from({ length: bCount }, (_, z) => packGemmWeightsF32(b.subarray(z * k * n, (z + 1) * k * n), k, n, params.transB));
  const packed = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.forEach((p, z) => packed.set(p, z * p.length));
  const f16 = params.weights === 'f16pack';
  const inputs: Record<string, ArrayBufferView> = { input: a, weights: f16 ? packF16Pairs(packed) : packed, bias: packBias(bias, n) };
  if (residual) inputs.residual = residual;
  const out = await runKernel(device, spec, inputs, { output: batch * m * n * 4 });
  const want = gemmRef(a, f16 ? b.map(roundToF16) : b, m, k, n, { ...shape, transB: params.transB, bias, residual, act: params.act });
  return floatOutcome(new Float32Array(out.output), want, spec.key);
}

const int8 = (d: GemmDims, out: 'int8' | 'f32', dot: DotImpl): Case => ({
  name: `gemm_int8 [${dot}] ${out} out, M ${d.m} K ${d.k} N ${d.n}`,
  tolerance: out === 'f32' ? FLOAT_TOL : EXACT,
  run: (gpu, r) => gemmInt8(gpu, r, d, out, dot),
});
const f32 = (name: string, shape: GemmShape, params: GemmF32Params & { transB?: boolean } = {}): Case => ({
  name: `gemm_f32 ${name}`,
  tolerance: FLOAT_TOL,
  run: (gpu, r) => gemmF32(gpu, r, shape, params),
});

export const cases: Case[] = [
  int8({ m: 9, k: 17, n: 10 }, 'int8', 'packed'),
  int8({ m: 5, k: 40, n: 33 }, 'int8', 'fallback'),
  int8({ m: 3, k: 37, n: 12 }, 'f32', 'packed'),
  int8({ m: 4, k: 21, n: 17 }, 'f32', 'fallback'),
  { name: 'gemm_w4a8 per-group 16 along K, M 6 K 40 N 9', tolerance: EXACT, run: (gpu, r) => gemmW4A8(gpu, r, { m: 6, k: 40, n: 9 }, 16) },
  f32('odd M 13 K 17 N 11', { m: 13, k: 17, n: 11 }),
  f32('M 1 (fully connected), transB', { m: 1, k: 37, n: 19 }, { transB: true }),
  f32('batched A and B (MatMul), residual + sigmoid', { m: 6, k: 10, n: 8, batch: 3, bBatched: true }, { residual: true, act: { kind: 'sigmoid' } }),
  f32('f16-pair weights', { m: 10, k: 21, n: 13 }, { weights: 'f16pack' }),
];
