import { describe, expect, it } from 'vitest';
import { runKernel } from '../src/gpu/exec.ts';
import { type W4Case, regTile, w4Problem } from './reference/conv_int_problem.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type ConvShapeInit, convShape } from '../src/shaders/conv-shape.ts';
import { smemTile } from '../src/shaders/conv2d_int_smem.ts';
import { conv2dW4A8SmemKernel, smemW4Fits } from '../src/shaders/conv2d_w4a8_smem.ts';
import { packConvW4, w4Layout } from '../src/shaders/conv2d_int_pack_w4.ts';

type Case = W4Case;
const reg = regTile;

async function runCase(c: Case, rng: Rng): Promise<void> {
  const { device } = await testGpu();
  const p = w4Problem(rng, c);
  expectBindingsMatch(p.spec);
  const out = await runKernel(device, p.spec, p.inputs, { output: p.outputBytes });
  const got = p.decode(out.output) as Int8Array;
  const want = p.want as Int8Array;
  const count = want.length;
  let bad = -1;
  let n = 0;
  for (let i = 0; i < count; i++) if (got[i] !== want[i]) { n++; if (bad < 0) bad = i; }
  expect(n, `${p.spec.key}: ${n} mismatches, first at ${bad}: got ${got[bad]} want ${want[bad]}`).toBe(0);
  expect(new Set(want).size, 'reference output is degenerate').toBeGreaterThan(Math.min(8, count / 4));
}

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
describe('conv2d_w4a8', () => {
  it('per-channel, 3x3 cin=17 cout=12 stride 2 odd size', async () =>
    runCase({ shape: { n: 1, h: 9, w: 11, cin: 17, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 } }, testRng()));
  it('per-group 8, cin=5 (odd window padded to even), dilation 2', async () =>
    runCase({ shape: { n: 1, h: 8, w: 8, cin: 5, cout: 8, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 }, groupSize: 8 }, testRng()));
  it('per-group 32 (one group per tap), cin=32 cout=40, tile 2x2', async () =>
    runCase({ shape: { n: 1, h: 6, w: 7, cin: 32, cout: 40, kh: 3, kw: 3, ...pad1 }, groupSize: 32, tile: reg(2, 2) }, testRng()));
  it('per-group 24 crossing taps, cin=12, fallback dot', async () =>
    runCase({ shape: { n: 1, h: 6, w: 6, cin: 12, cout: 8, kh: 3, kw: 3, ...pad1 }, groupSize: 24, dot: 'fallback' }, testRng()));
  it('groups=2 cin=6 cout=6, per-group 16', async () =>
    runCase({ shape: { n: 1, h: 6, w: 5, cin: 6, cout: 6, kh: 3, kw: 3, groups: 2, ...pad1 }, groupSize: 16 }, testRng()));
  it('depthwise-as-grouped c=8 per-channel, tile 1x1', async () =>
    runCase({ shape: { n: 1, h: 6, w: 6, cin: 8, cout: 8, kh: 3, kw: 3, groups: 8, ...pad1 }, tile: reg(1, 1) }, testRng()));
  it('1x1 cin=40 cout=16, relu6', async () =>
    runCase({ shape: { n: 1, h: 5, w: 5, cin: 40, cout: 16, kh: 1, kw: 1 }, groupSize: 16, act: { kind: 'clip', min: 0, max: 6 } }, testRng()));
  it('7x7 stride-2 stem cin=3, residual then silu', async () =>
    runCase({ shape: { n: 1, h: 12, w: 12, cin: 3, cout: 8, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 }, groupSize: 56, residual: true, act: { kind: 'silu' } }, testRng()));
  it('residual add then relu, batch 2, tile 4x2', async () =>
    runCase({ shape: { n: 2, h: 5, w: 5, cin: 16, cout: 12, kh: 3, kw: 3, ...pad1 }, groupSize: 32, residual: true, act: { kind: 'relu' }, tile: reg(4, 2) }, testRng()));
});

describe('int4 packing', () => {
  it('sizes and nibble order round-trip', () => {
    const rng = testRng();
    const s = convShape({ n: 1, h: 4, w: 4, cin: 5, cout: 6, kh: 3, kw: 3 });
    const layout = w4Layout(s, 8);
    expect(layout.kwr).toBe(2);
    expect(layout.elements).toBe(3 * 3 * 2 * 4);
    const q = Int8Array.from({ length: 6 * 5 * 9 }, () => rng.int(-8, 7));
    const packed = packConvW4(q, s, layout);
    expect(packed.byteLength).toBe((3 * 3 * 2 / 2) * 2 * 16);
    // Element (oc=5, ci=4, ky=2, kx=1): tap 7, window word 1 byte 0 -> e = (7 * 2 + 1) * 4 = 60: word 7, nibble 4.
    const v = q[((5 * 5 + 4) * 3 + 2) * 3 + 1];
    const word = packed[(7 * 2 + 1) * 4 + 1];
    expect(((word << (32 - 4 * 5)) >> 28)).toBe(v);
  });
});

describe('conv2d_w4a8_smem (workgroup-memory implicit GEMM, int4 unpacked while staging)', () => {
  const sm = (init: ConvShapeInit, wgm: number, wgn: number, tn4: 1 | 2, bk: 4 | 8 | 16) => smemTile(convShape(init), wgm, wgn, tn4, bk);
  const odd: ConvShapeInit = { n: 1, h: 9, w: 11, cin: 17, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 };
  const c32: ConvShapeInit = { n: 1, h: 6, w: 7, cin: 32, cout: 40, kh: 3, kw: 3, ...pad1 };
  const c64: ConvShapeInit = { n: 1, h: 5, w: 6, cin: 64, cout: 20, kh: 3, kw: 3, ...pad1 };
  const res: ConvShapeInit = { n: 2, h: 5, w: 5, cin: 16, cout: 12, kh: 3, kw: 3, ...pad1 };
  const stem: ConvShapeInit = { n: 1, h: 12, w: 12, cin: 3, cout: 8, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 };
  it('per-channel, cin=17 stride 2 odd size (scalar loads, window 6 words in an 8-word stage)', async () =>
    runCase({ shape: odd, tile: sm(odd, 4, 2, 1, 8) }, testRng()));
  it('per-group 32 (one group per tap), cout=40, tn4 2, bk 4', async () =>
    runCase({ shape: c32, groupSize: 32, tile: sm(c32, 4, 4, 2, 4) }, testRng()));
  it('per-group 16 inside a tap, cin=64 vec4 loads, bk 4, residual then silu', async () =>
    runCase({ shape: c64, groupSize: 16, tile: sm(c64, 4, 4, 1, 4), residual: true, act: { kind: 'silu' } }, testRng()));
  it('per-channel, residual add then relu, batch 2, fallback dot', async () =>
    runCase({ shape: res, residual: true, act: { kind: 'relu' }, tile: sm(res, 8, 2, 2, 8), dot: 'fallback' }, testRng()));
  it('7x7 stride-2 stem cin=3, groups of 7 taps, 64x64 tile', async () =>
    runCase({ shape: stem, groupSize: 56, tile: sm(stem, 16, 16, 1, 8) }, testRng()));
  it('refuses groups that end inside a stage', () => {
    const s = convShape({ n: 1, h: 6, w: 6, cin: 12, cout: 8, kh: 3, kw: 3, ...pad1 });
    const layout = w4Layout(s, 24);
    expect(smemW4Fits(s, layout, { bk: 4 })).toBe(false);
    expect(() => conv2dW4A8SmemKernel({ tile: smemTile(s, 4, 2, 1, 4), dot: 'packed', epilogue: { out: 'int8', residual: false } }, s, layout, { zIn: 0 }))
      .toThrow(/do not end at stage ends/);
  });
});
