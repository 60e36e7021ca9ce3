import { describe, expect, it } from 'vitest';
import { runKernel } from '../src/gpu/exec.ts';
import {
  type PoolParams, globalAvgPoolInt8Kernel, globalAvgPoolKernel, poolInt8Kernel, poolKernel, poolOutSize,
} from '../src/shaders/pool.ts';
import { fixedMultiplier } from '../src/shaders/requantize-math.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { globalAvgPoolInt8Ref, poolInt8Ref, poolRef } from './reference/pool.ts';
import { packRows } from './reference/quantize.ts';

/** Random pooling configs: stride 2 with odd sizes, asymmetric pads, ceil mode, dilation, count_include_pad. */
function randomCase(rng: Rng, kind: 'max' | 'avg'): { shape: { n: number; h: number; w: number; c: number }; p: PoolParams } {
  const kh = rng.int(1, 3);
  const kw = rng.int(1, 3);
  const p: PoolParams = {
    kind, kh, kw,
    strideH: rng.int(1, 2), strideW: rng.int(1, 2),
    dilationH: rng.next() < 0.3 ? 2 : 1, dilationW: rng.next() < 0.3 ? 2 : 1,
    padTop: rng.int(0, kh - 1), padBottom: rng.int(0, kh - 1), padLeft: rng.int(0, kw - 1), padRight: rng.int(0, kw - 1),
    ceilMode: rng.next() < 0.5, countIncludePad: rng.next() < 0.5,
  };
  const odd = (): number => 2 * rng.int(1, 4) + 1;
  const span = (k: number, d = 1): number => (k - 1) * d + 1;
  const shape = {
    n: rng.int(1, 2),
    h: Math.max(odd(), span(kh, p.dilationH)),
    w: Math.max(rng.int(1, 8), span(kw, p.dilationW)),
    c: [3, 5, 17, 4][rng.int(0, 3)],
  };
  return { shape, p };
}

describe('pool f32 NHWC', () => {
  for (const kind of ['max', 'avg'] as const) {
    it(`${kind}pool matches the reference on random geometries`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      for (let t = 0; t < 8; t++) {
        const { shape, p } = randomCase(rng, kind);
        const x = rng.floats(shape.n * shape.h * shape.w * shape.c, -4, 4);
        const spec = poolKernel(p, shape);
        expectBindingsMatch(spec);
        const want = poolRef(x, shape.n, shape.h, shape.w, shape.c, p);
        const { outH, outW } = poolOutSize(shape, p);
        expect(want.length).toBe(shape.n * outH * outW * shape.c);
        const out = await runKernel(device, spec, { input: x }, { output: want.length * 4 });
        expect(relError(new Float32Array(out.output), want), JSON.stringify({ shape, p })).toBeLessThanOrEqual(1e-4);
      }
    });
  }
  it('ceil_mode with stride 2 on odd sizes gives the ONNX output size', () => {
    expect(poolOutSize({ n: 1, h: 7, w: 6, c: 1 }, { kind: 'max', kh: 2, kw: 2, strideH: 2, strideW: 2, ceilMode: true })).toEqual({ outH: 4, outW: 3 });
    expect(poolOutSize({ n: 1, h: 7, w: 7, c: 1 }, { kind: 'max', kh: 3, kw: 3, strideH: 2, strideW: 2 })).toEqual({ outH: 3, outW: 3 });
  });
  it('global average pool', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const shape = { n: rng.int(1, 2), h: rng.int(1, 7), w: rng.int(1, 7), c: 17 };
    const x = rng.floats(shape.n * shape.h * shape.w * shape.c);
    const spec = globalAvgPoolKernel(shape);
    expectBindingsMatch(spec);
    const out = await runKernel(device, spec, { input: x }, { output: shape.n * shape.c * 4 });
    const want = poolRef(x, shape.n, shape.h, shape.w, shape.c, { kind: 'avg', kh: shape.h, kw: shape.w });
    expect(relError(new Float32Array(out.output), want)).toBeLessThanOrEqual(1e-4);
  });
});

describe('pool packed int8 NHWC', () => {
  for (const kind of ['max', 'avg'] as const) {
    it(`${kind}pool matches the reference bit-exactly`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      for (let t = 0; t < 8; t++) {
        const { shape, p } = randomCase(rng, kind);
        const zp = rng.int(-30, 30);
        const rows = shape.n * shape.h * shape.w;
        const q = rng.int8s(rows * shape.c);
        const spec = poolInt8Kernel(p, shape, { scale: 0.05, zeroPoint: zp });
        expectBindingsMatch(spec);
        const want = poolInt8Ref(q, shape.n, shape.h, shape.w, shape.c, p, zp);
        const expected = packRows(want, want.length / shape.c, shape.c, zp);
        const out = await runKernel(device, spec, { input: packRows(q, rows, shape.c, zp) }, { output: expected.length * 4 });
        expect(Array.from(new Uint32Array(out.output)), JSON.stringify({ shape, p })).toEqual(Array.from(expected));
      }
    });
  }
  it('global average pool with output requantization, bit-exact', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (let t = 0; t < 4; t++) {
      const shape = { n: rng.int(1, 2), h: rng.int(1, 9), w: rng.int(1, 9), c: [3, 5, 17][rng.int(0, 2)] };
      const input = { scale: rng.uniform(0.01, 0.1), zeroPoint: rng.int(-30, 30) };
      const output = { scale: input.scale * rng.uniform(0.2, 1.5), zeroPoint: rng.int(-30, 30) };
      const rows = shape.n * shape.h * shape.w;
      const q = rng.int8s(rows * shape.c);
      const spec = globalAvgPoolInt8Kernel(shape, input, output);
      expectBindingsMatch(spec);
      const f = fixedMultiplier(input.scale / (output.scale * shape.h * shape.w));
      const want = globalAvgPoolInt8Ref(q, shape.n, shape.h * shape.w, shape.c, input.zeroPoint, output.zeroPoint, f.m0, f.r);
      const expected = packRows(want, shape.n, shape.c, output.zeroPoint);
      const out = await runKernel(device, spec, { input: packRows(q, rows, shape.c, input.zeroPoint) }, { output: expected.length * 4 });
      expect(Array.from(new Uint32Array(out.output))).toEqual(Array.from(expected));
    }
  });
});
