import { describe, expect, it } from 'vitest';
import { gemmConvShape, gemmInt8Kernel, gemmWeightsOIHW, type GemmDims } from '../src/shaders/gemm_int8.ts';
import { gemmW4A8Kernel, gemmW4Layout } from '../src/shaders/gemm_w4a8.ts';
import { packConvW4, packW4Params, quantizeConvW4 } from '../src/shaders/conv2d_int_pack_w4.ts';
import {
  packChannelParams, packConvW8, packInt8Activations, quantizeWeightsPerChannel, unpackInt8Activations,
} from '../src/shaders/pack-int.ts';
import { mulShiftRound } from '../src/quant/fixedpoint.ts';
import { activateRef } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import type { DotImpl } from '../src/shaders/conv2d_w8a8.ts';

/** Direct matmul reference: acc[m][n] = bias_q[n] + sum_k (a[m][k] - zA) * b[k][n]. */
function accRef(a: Int8Array, b: Int8Array, d: GemmDims, zA: number, biasQ: Int32Array): Int32Array {
  const acc = new Int32Array(d.m * d.n);
  for (let m = 0; m < d.m; m++) for (let n = 0; n < d.n; n++) {
    let s = biasQ[n];
    for (let k = 0; k < d.k; k++) s += (a[m * d.k + k] - zA) * b[k * d.n + n];
    acc[m * d.n + n] = s;
  }
  return acc;
}

async function runW8(d: GemmDims, rng: Rng, out: 'int8' | 'f32', dot: DotImpl): Promise<void> {
  const { device } = await testGpu();
  const a = rng.int8s(d.m * d.k);
  const zA = rng.int(-20, 20);
  const sA = 0.03;
  const bf = rng.floats(d.k * d.n);
  // Quantize per column from the [N][K] view of the float B.
  const bT = new Float32Array(d.k * d.n);
  for (let k = 0; k < d.k; k++) for (let n = 0; n < d.n; n++) bT[n * d.k + k] = bf[k * d.n + n];
  const wq = quantizeWeightsPerChannel(bT, d.n);
  const scales = wq.scales;
  const bq = new Int8Array(d.k * d.n);
  for (let k = 0; k < d.k; k++) for (let n = 0; n < d.n; n++) bq[k * d.n + n] = wq.q[n * d.k + k];
  const bias = rng.floats(d.n);
  const sOut = (Math.sqrt(d.k) * 70 * 60 * sA * scales[0]) / 40;
  const oihw = gemmWeightsOIHW(bq, d);
  const chan = packChannelParams(oihw, d.n, { sIn: sA, zIn: zA, sW: scales, sOut, bias });
  const biasQ = Int32Array.from({ length: d.n }, (_, n) => Math.round(bias[n] / (sA * scales[n])));
  const acc = accRef(a, bq, d, zA, biasQ);
  const zOut = rng.int(-10, 10);
  const epilogue = out === 'f32' ? { out: 'f32' as const, act: { kind: 'none' as const } } : { out: 'int8' as const, residual: false, lut: false };
  const spec = gemmInt8Kernel({ tile: { family: 'reg', tm: 4, tn4: 2, wg: 16 }, dot, epilogue }, d, { zIn: zA, zOut });
  expectBindingsMatch(spec);
  const n4 = Math.ceil(d.n / 4);
  const res = await runKernel(device, spec, {
    input: packInt8Activations(a, 1, 1, d.m, d.k), weights: packConvW8(oihw, gemmConvShape(d)), chan,
    residual: new Uint32Array(4), lut: new Uint32Array(4),
  }, { output: out === 'f32' ? d.m * d.n * 4 : d.m * n4 * 4 });
  if (out === 'f32') {
    const deq = new Float32Array(chan.buffer);
    const want = Float32Array.from(acc, (v, i) => activateRef(Math.fround(Math.fround(v) * deq[(i % d.n) * 4 + 3])));
    expect(relError(new Float32Array(res.output), want)).toBeLessThanOrEqual(1e-4);
  } else {
    const got = unpackInt8Activations(new Uint32Array(res.output), 1, 1, d.m, d.n);
    const want = Int8Array.from(acc, (v, i) => Math.max(-128, Math.min(127, mulShiftRound(v, chan[(i % d.n) * 4 + 1], chan[(i % d.n) * 4 + 2]) + zOut)));
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(new Set(want).size).toBeGreaterThan(8);
  }
}

describe('gemm_int8', () => {
  it('int8 out, K=17 N=10 M=9', async () => runW8({ m: 9, k: 17, n: 10 }, testRng(), 'int8', 'packed'));
  it('int8 out, fallback dot, K=40 N=33 M=5', async () => runW8({ m: 5, k: 40, n: 33 }, testRng(), 'int8', 'fallback'));
  it('f32 dequantized logits, K=37 N=12 M=3', async () => runW8({ m: 3, k: 37, n: 12 }, testRng(), 'f32', 'packed'));
});

describe('gemm_w4a8', () => {
  it('per-group 16 along K, K=40 N=9 M=6', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const d = { m: 6, k: 40, n: 9 };
    const s = gemmConvShape(d);
    const layout = gemmW4Layout(d, 16);
    const a = rng.int8s(d.m * d.k);
    const zA = rng.int(-20, 20);
    const { q, scales } = quantizeConvW4(rng.floats(d.k * d.n), s, layout); // [N][K] float view
    const sOut = 0.03 * 0.1 * Math.sqrt(d.k) * 60 / 20;
    const { chan, qgroups } = packW4Params(q, s, layout, { sIn: 0.03, zIn: zA, sW: scales, sOut });
    const spec = gemmW4A8Kernel({ tile: { family: 'reg', tm: 2, tn4: 1, wg: 16 }, dot: 'packed', epilogue: { out: 'int8', residual: false, lut: false } }, d, layout, { zIn: zA, zOut: 0 });
    expectBindingsMatch(spec);
    const res = await runKernel(device, spec, {
      input: packInt8Activations(a, 1, 1, d.m, d.k), weights: packConvW4(q, s, layout), chan, qgroups,
      residual: new Uint32Array(4), lut: new Uint32Array(4),
    }, { output: d.m * 3 * 4 });
    const got = unpackInt8Activations(new Uint32Array(res.output), 1, 1, d.m, d.n);
    // Direct definition: per 16-wide group along K, raw sum scaled by the group's multiplier at 8 fraction bits.
    const want = new Int8Array(d.m * d.n);
    for (let m = 0; m < d.m; m++) for (let n = 0; n < d.n; n++) {
      let t = chan[n * 4] | 0;
      for (let g = 0; g < layout.ng; g++) {
        let isum = 0;
        for (let k = g * 16; k < Math.min(d.k, g * 16 + 16); k++) isum += a[m * d.k + k] * q[n * d.k + k];
        t += mulShiftRound(isum, qgroups[(n * layout.ng + g) * 2], qgroups[(n * layout.ng + g) * 2 + 1] - 8);
      }
      want[m * d.n + n] = Math.max(-128, Math.min(127, Math.floor((t + 128) / 256)));
    }
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(new Set(want).size).toBeGreaterThan(8);
  });
});
