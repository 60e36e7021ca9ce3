import { describe, expect, it } from 'vitest';
import { type ConvShapeInit, convShape } from '../src/shaders/conv-shape.ts';
import { defaultSmemTile, smemTile } from '../src/shaders/conv2d_int_smem.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { type W8Case, fmaTile, regTile, w8Problem } from './reference/conv_int_problem.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

interface Case extends W8Case {
  name: string;
}

const reg = regTile;
const fma = fmaTile;

/** Compares int8 outputs exactly; reports the first mismatch and asks for a non-trivial spread of values. */
export function expectSameInt8(got: Int8Array, want: Int8Array, what: string): void {
  let bad = -1;
  let count = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { count++; if (bad < 0) bad = i; }
  expect(count, `${what}: ${count} mismatches, first at ${bad}: got ${got[bad]} want ${want[bad]}`).toBe(0);
  expect(new Set(want).size, `${what}: reference output is degenerate`).toBeGreaterThan(Math.min(8, want.length / 4));
}

async function runCase(c: Case, rng: Rng): Promise<void> {
  const { device } = await testGpu();
  const p = w8Problem(rng, c);
  expectBindingsMatch(p.spec);
  const out = await runKernel(device, p.spec, p.inputs, { output: p.outputBytes });
  const got = p.decode(out.output);
  if (p.f32) expect(relError(got as Float32Array, p.want as Float32Array)).toBeLessThanOrEqual(1e-4);
  else if (p.nearTie) expectQact(got as Int8Array, p.want as Int8Array, p.nearTie, p.spec.key);
  else expectSameInt8(got as Int8Array, p.want as Int8Array, p.spec.key);
}

/** qact: exact, except one code where the reference sits within float32 error of a rounding boundary. */
function expectQact(got: Int8Array, want: Int8Array, nearTie: Uint8Array, what: string): void {
  const bad: string[] = [];
  let ties = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    if (nearTie[i] && Math.abs(got[i] - want[i]) === 1) ties++;
    else if (bad.length < 5) bad.push(`[${i}] got ${got[i]} want ${want[i]}`);
  }
  if (ties) console.log(`${what}: ${ties} near-tie elements one code apart`);
  expect(bad, `${what}: mismatches away from rounding ties`).toEqual([]);
  expect(new Set(want).size, `${what}: reference output is degenerate`).toBeGreaterThan(Math.min(8, want.length / 4));
}

const cases: Case[] = [
  { name: '3x3 cin=3 cout=5 pad 1', shape: { n: 1, h: 7, w: 6, cin: 3, cout: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 } },
  { name: 'cin=17 cout=40 stride 2 odd size, asymmetric pad', shape: { n: 1, h: 9, w: 11, cin: 17, cout: 40, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, padBottom: 2, padRight: 1 } },
  { name: 'dilation 2, batch 2, cin=5', shape: { n: 2, h: 8, w: 8, cin: 5, cout: 8, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 } },
  { name: 'groups=2 cin=6 cout=6', shape: { n: 1, h: 6, w: 7, cin: 6, cout: 6, kh: 3, kw: 3, groups: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 } },
  { name: 'groups=4 cin=12 cout=8 (3 channels per group)', shape: { n: 1, h: 5, w: 5, cin: 12, cout: 8, kh: 3, kw: 3, groups: 4, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 } },
  { name: 'depthwise as grouped conv cin=cout=groups=10', shape: { n: 1, h: 6, w: 6, cin: 10, cout: 10, kh: 3, kw: 3, groups: 10, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 } },
  { name: '1x1 cin=40 cout=24', shape: { n: 1, h: 5, w: 7, cin: 40, cout: 24, kh: 1, kw: 1 } },
  { name: '7x7 stride-2 stem cin=3', shape: { n: 1, h: 12, w: 12, cin: 3, cout: 16, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 } },
];

const shapes = {
  small: cases[0].shape, odd17: cases[1].shape, dil5: cases[2].shape, one: cases[6].shape, stem: cases[7].shape,
};

describe('conv2d_w8a8', () => {
  for (const c of cases) {
    it(`${c.name} (tile 4x1)`, async () => runCase(c, testRng()));
  }
  const conv = cases[1].shape;
  for (const [tm, tn4] of [[1, 1], [2, 2], [4, 2]] as const) {
    it(`tile ${tm}x${tn4} on cin=17 cout=40`, async () => runCase({ name: '', shape: conv, tile: reg(tm, tn4) }, testRng()));
  }
  for (const [tm, tn4] of [[4, 4], [2, 3], [1, 1]] as const) {
    it(`fma tile ${tm}x${tn4} on cin=17 cout=40`, async () => runCase({ name: '', shape: conv, tile: fma(tm, tn4) }, testRng()));
  }
  it('fma: 3x3 cin=3 cout=5, relu', async () => runCase({ ...cases[0], tile: fma(4, 2), act: { kind: 'relu' } }, testRng()));
  it('fma: grouped, residual', async () => runCase({ ...cases[4], tile: fma(4, 1), residual: true }, testRng()));
  it('fma: 1x1, f32 out', async () => runCase({ ...cases[6], tile: fma(4, 4), f32: true, act: { kind: 'silu' } }, testRng()));
  // 300 channels: 75 words per tap, so the f32 sums flush to i32 every 3 taps (chunks of <= 256 words).
  it('fma: cin=300 (chunked f32 sums), stride 2', async () => runCase({
    name: '', tile: fma(2, 2),
    shape: { n: 1, h: 6, w: 5, cin: 300, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 },
  }, testRng()));
  it('fallback dot product (no dot4I8Packed)', async () => runCase({ name: '', shape: conv, dot: 'fallback', act: { kind: 'relu' } }, testRng()));
  it('fallback dot, grouped', async () => runCase({ ...cases[3], dot: 'fallback' }, testRng()));
  const acts: Activation[] = [
    { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'sigmoid' }, { kind: 'silu' },
    { kind: 'hardswish' }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 },
  ];
  for (const act of acts) {
    it(`fused ${act.kind}`, async () => runCase({ name: '', shape: cases[0].shape, act }, testRng()));
  }
  it('float bias at the output scale (16 fractional bits), relu', async () => runCase({ name: '', shape: cases[2].shape, fracBias: true, act: { kind: 'relu' } }, testRng()));
  it('float bias (16 fractional bits) with a residual table', async () => runCase({ name: '', shape: conv, fracBias: true, residual: true }, testRng()));
  it('residual add then relu', async () => runCase({ name: '', shape: cases[2].shape, residual: true, act: { kind: 'relu' } }, testRng()));
  it('residual add then silu (in the table), tile 2x2', async () => runCase({ name: '', shape: conv, residual: true, act: { kind: 'silu' }, tile: reg(2, 2) }, testRng()));
  for (const act of [{ kind: 'silu' }, { kind: 'sigmoid' }, { kind: 'hardswish' }, { kind: 'leakyrelu', alpha: 0.1 }] as Activation[]) {
    it(`qact (float ${act.kind}, exact QuantizeLinear)`, async () => runCase({ name: '', shape: cases[1].shape, qact: true, act }, testRng()));
  }
  it('qact silu, fma tile 4x1, grouped', async () => runCase({ ...cases[3], tile: fma(4, 1), qact: true, act: { kind: 'silu' } }, testRng()));
  it('qact sigmoid, fallback dot, 1x1', async () => runCase({ ...cases[6], dot: 'fallback', qact: true, act: { kind: 'sigmoid' } }, testRng()));
  it('f32 dequantized output with relu', async () => runCase({ name: '', shape: conv, f32: true, act: { kind: 'relu' } }, testRng()));
  it('f32 dequantized output, grouped, silu', async () => runCase({ ...cases[3], f32: true, act: { kind: 'silu' } }, testRng()));
});

describe('conv2d_int_dw (depthwise)', () => {
  const dw = (h: number, c: number, k: number, stride: 1 | 2, pad: number): ConvShapeInit => ({
    n: 1, h, w: h + 1, cin: c, cout: c, kh: k, kw: k, groups: c, strideH: stride, strideW: stride,
    padTop: pad, padLeft: pad, padBottom: pad + 1, padRight: pad,
  });
  it('3x3 c=17 stride 1', async () => runCase({ name: '', shape: dw(8, 17, 3, 1, 1), dw: true }, testRng()));
  it('5x5 c=12 stride 2, relu6', async () => runCase({ name: '', shape: dw(11, 12, 5, 2, 2), dw: true, act: { kind: 'clip', min: 0, max: 6 } }, testRng()));
  it('3x3 c=5 fallback, hardswish (qact), tm 2', async () => runCase({ name: '', shape: dw(7, 5, 3, 1, 1), dw: true, dot: 'fallback', act: { kind: 'hardswish' }, tile: reg(2, 1) }, testRng()));
  it('3x3 c=8 stride 2 (column reuse), batch 2, tm 4', async () => runCase({ name: '', shape: { ...dw(9, 8, 3, 2, 1), n: 2 }, dw: true, act: { kind: 'relu' } }, testRng()));
  it('3x3 c=12, float bias (16 fractional bits)', async () => runCase({ name: '', shape: dw(7, 12, 3, 1, 1), dw: true, fracBias: true }, testRng()));
  it('3x3 c=20 stride 2, tm 2, residual', async () => runCase({ name: '', shape: dw(10, 20, 3, 2, 1), dw: true, residual: true, tile: reg(2, 1) }, testRng()));
  it('3x3 c=12 stride 1, tm 1', async () => runCase({ name: '', shape: dw(6, 12, 3, 1, 1), dw: true, tile: reg(1, 1) }, testRng()));
  it('3x3 c=12 stride 2, qact silu', async () => runCase({ name: '', shape: dw(9, 12, 3, 2, 1), dw: true, qact: true, act: { kind: 'silu' } }, testRng()));
  it('dilation 2, f32 out', async () => runCase({ name: '', shape: { ...dw(9, 8, 3, 1, 2), dilationH: 2, dilationW: 2 }, dw: true, f32: true }, testRng()));
});

describe('conv2d_int_smem (workgroup-memory implicit GEMM)', () => {
  const sm = (init: ConvShapeInit, wgm: number, wgn: number, tn4: 1 | 2, bk: 4 | 8 | 16) => smemTile(convShape(init), wgm, wgn, tn4, bk);
  const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
  // C4 = 12: vec4 loads, the second 8-word chunk half past the pixel; 40 channels: a partial block column.
  const v4: ConvShapeInit = { n: 1, h: 9, w: 7, cin: 48, cout: 40, kh: 3, kw: 3, ...pad1 };
  const cases: [string, W8Case][] = [
    ['3x3 cin=3 cout=5 (scalar loads, one word per tap), default tile', { shape: shapes.small, tile: defaultSmemTile(convShape(shapes.small)) }],
    ['cin=17 cout=40 stride 2 odd size, asymmetric pad, 16x16 tile', { shape: shapes.odd17, tile: sm(shapes.odd17, 4, 4, 1, 8) }],
    ['cin=17 cout=40, 16x32 tile (tn4 2), bk 4, relu', { shape: shapes.odd17, tile: sm(shapes.odd17, 4, 4, 2, 4), act: { kind: 'relu' } }],
    ['cin=48 vec4 loads, chunk past the pixel, bk 16', { shape: v4, tile: sm(v4, 4, 4, 2, 16) }],
    ['cin=48 vec4 loads, fallback dot, silu (qact)', { shape: v4, tile: sm(v4, 8, 4, 1, 8), dot: 'fallback', act: { kind: 'silu' } }],
    ['dilation 2, batch 2, residual then relu', { shape: shapes.dil5, tile: sm(shapes.dil5, 4, 2, 1, 4), residual: true, act: { kind: 'relu' } }],
    ['cin=48 vec4 loads, qact silu', { shape: v4, tile: sm(v4, 4, 4, 2, 8), qact: true, act: { kind: 'silu' } }],
    ['1x1 cin=40 cout=24, f32 out, silu', { shape: shapes.one, tile: sm(shapes.one, 4, 4, 1, 8), f32: true, act: { kind: 'silu' } }],
    ['7x7 stride-2 stem cin=3, 64x64 tile', { shape: shapes.stem, tile: sm(shapes.stem, 16, 16, 1, 8) }],
  ];
  for (const [name, c] of cases) it(name, async () => runCase({ name, ...c }, testRng()));
});
