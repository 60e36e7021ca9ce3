/**
 * Pooling on NHWC: f32 and packed int8 max / average pools on random geometries (stride 2 with odd sizes,
 * asymmetric pads, ceil mode, dilation, count_include_pad), global average pools (int8 with requantization).
 * Run by the Chromium suite and, as test/pool.test.ts, under Node. Reference test/reference/pool.ts.
 */
import {
  type PoolParams, type PoolShape, globalAvgPoolInt8Kernel, globalAvgPoolKernel, poolInt8Kernel, poolKernel, poolOutSize,
} from '../../../src/shaders/pool.ts';
import { globalAvgPoolInt8Ref, poolInt8Ref, poolRef } from '../../reference/pool.ts';
import { packRows } from '../../reference/quantize.ts';
import { multiplierRef } from '../../reference/requant.ts';
import { type Case, EXACT, FLOAT_TOL, type Outcome, type Rng, exactOutcome, floatOutcome, runSpec, worst } from '../suite.ts';

/** Random pooling geometry: stride 2 with odd sizes, asymmetric pads, ceil mode, dilation, count_include_pad. */
function randomCase(r: Rng, kind: 'max' | 'avg'): { shape: PoolShape; p: PoolParams } {
  const kh = r.int(1, 3);
  const kw = r.int(1, 3);
  const p: PoolParams = {
    kind, kh, kw,
    strideH: r.int(1, 2), strideW: r.int(1, 2),
    dilationH: r.next() < 0.3 ? 2 : 1, dilationW: r.next() < 0.3 ? 2 : 1,
    padTop: r.int(0, kh - 1), padBottom: r.int(0, kh - 1), padLeft: r.int(0, kw - 1), padRight: r.int(0, kw - 1),
    ceilMode: r.next() < 0.5, countIncludePad: r.next() < 0.5,
  };
  const odd = (): number => 2 * r.int(1, 4) + 1;
  const span = (k: number, d = 1): number => (k - 1) * d + 1;
  const shape = {
    n: r.int(1, 2),
    h: Math.max(odd(), span(kh, p.dilationH)),
    w: Math.max(r.int(1, 8), span(kw, p.dilationW)),
    c: r.pick([3, 5, 17, 4]),
  };
  return { shape, p };
}

const ROUNDS = 8;

export const cases: Case[] = [
  ...(['max', 'avg'] as const).map((kind): Case => ({
    name: `pool_f32 ${kind}pool, ${ROUNDS} random geometries`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < ROUNDS; t++) {
        const { shape, p } = randomCase(r, kind);
        const x = r.floats(shape.n * shape.h * shape.w * shape.c, -4, 4);
        const want = poolRef(x, shape.n, shape.h, shape.w, shape.c, p);
        const { outH, outW } = poolOutSize(shape, p);
        if (want.length !== shape.n * outH * outW * shape.c) return { error: Infinity, detail: `output size ${outH}x${outW} disagrees with the reference` };
        const out = await runSpec(device, poolKernel(p, shape), { input: x }, { output: want.length * 4 });
        outs.push(floatOutcome(new Float32Array(out.output), want, JSON.stringify({ shape, p })));
      }
      return worst(...outs);
    },
  })),
  {
    name: 'pool_f32 global average pool, c 17',
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const shape = { n: r.int(1, 2), h: r.int(1, 7), w: r.int(1, 7), c: 17 };
      const x = r.floats(shape.n * shape.h * shape.w * shape.c);
      const out = await runSpec(device, globalAvgPoolKernel(shape), { input: x }, { output: shape.n * shape.c * 4 });
      const want = poolRef(x, shape.n, shape.h, shape.w, shape.c, { kind: 'avg', kh: shape.h, kw: shape.w });
      return floatOutcome(new Float32Array(out.output), want, JSON.stringify(shape));
    },
  },
  ...(['max', 'avg'] as const).map((kind): Case => ({
    name: `pool_int8 ${kind}pool, ${ROUNDS} random geometries`,
    tolerance: EXACT,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < ROUNDS; t++) {
        const { shape, p } = randomCase(r, kind);
        const zp = r.int(-30, 30);
        const rows = shape.n * shape.h * shape.w;
        const q = r.int8s(rows * shape.c);
        const ref = poolInt8Ref(q, shape.n, shape.h, shape.w, shape.c, p, zp);
        const want = packRows(ref, ref.length / shape.c, shape.c, zp);
        const spec = poolInt8Kernel(p, shape, { scale: 0.05, zeroPoint: zp });
        const out = await runSpec(device, spec, { input: packRows(q, rows, shape.c, zp) }, { output: want.length * 4 });
        // Packed words compared whole (padding lanes included); tiny outputs may legitimately repeat values.
        outs.push(exactOutcome(new Uint32Array(out.output), want, JSON.stringify({ shape, p }), true));
      }
      return worst(...outs);
    },
  })),
  {
    name: 'pool_int8 global average pool with requantization',
    tolerance: EXACT,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < 4; t++) {
        const shape = { n: r.int(1, 2), h: r.int(1, 9), w: r.int(1, 9), c: r.pick([3, 5, 17]) };
        const input = { scale: r.uniform(0.01, 0.1), zeroPoint: r.int(-30, 30) };
        const output = { scale: input.scale * r.uniform(0.2, 1.5), zeroPoint: r.int(-30, 30) };
        const rows = shape.n * shape.h * shape.w;
        const q = r.int8s(rows * shape.c);
        const f = multiplierRef(input.scale / (output.scale * shape.h * shape.w));
        const ref = globalAvgPoolInt8Ref(q, shape.n, shape.h * shape.w, shape.c, input.zeroPoint, output.zeroPoint, f.m0, f.r);
        const want = packRows(ref, shape.n, shape.c, output.zeroPoint);
        const spec = globalAvgPoolInt8Kernel(shape, input, output);
        const out = await runSpec(device, spec, { input: packRows(q, rows, shape.c, input.zeroPoint) }, { output: want.length * 4 });
        outs.push(exactOutcome(new Uint32Array(out.output), want, JSON.stringify(shape), true));
      }
      return worst(...outs);
    },
  },
];
