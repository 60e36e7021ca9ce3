/**
 * W8A8 convolution: conv2d_w8a8's `reg` family with both dot products ('packed' dot4I8Packed and the shift
 * 'fallback'), its `fma` family (exact f32 sums, the default on software devices), and the depthwise
 * conv2d_int_dw; clamp activations, float activations with an exact QuantizeLinear (qact), residual add, f32
 * dequantized output. Set up by test/reference/conv_int_problem.ts
 * (shared with test/conv2d_w8a8.test.ts); reference test/reference/conv_int.ts. Integer outputs must match bit for bit.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { type ConvShapeInit, convShape } from '../../../src/shaders/conv-shape.ts';
import { defaultSmemTile, smemTile } from '../../../src/shaders/conv2d_int_smem.ts';
import { type W8Case, fmaTile, regTile, w8Problem } from '../../reference/conv_int_problem.ts';
import { type Case, EXACT, FLOAT_TOL, type Outcome, type Rng, exactOutcome, floatOutcome, runSpec } from '../suite.ts';

async function w8Outcome({ device }: GpuContext, r: Rng, c: W8Case): Promise<Outcome> {
  const p = w8Problem(r, c);
  const out = await runSpec(device, p.spec, p.inputs, { output: p.outputBytes });
  const got = p.decode(out.output);
  if (p.f32) return floatOutcome(got as Float32Array, p.want, p.spec.key);
  // qact: one code off is allowed where the reference sits within float32 error of a rounding boundary.
  if (p.nearTie) for (let i = 0; i < got.length; i++) if (p.nearTie[i] && Math.abs(got[i] - p.want[i]) === 1) got[i] = p.want[i];
  return exactOutcome(got as Int8Array, p.want, p.spec.key);
}

const reg = regTile;
const fma = fmaTile;

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const SMALL: ConvShapeInit = { n: 1, h: 7, w: 6, cin: 3, cout: 5, kh: 3, kw: 3, ...pad1 };
const ODD17: ConvShapeInit = { n: 1, h: 9, w: 11, cin: 17, cout: 40, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, padBottom: 2, padRight: 1 };
const DIL5: ConvShapeInit = { n: 2, h: 8, w: 8, cin: 5, cout: 8, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 };
const GROUPS4: ConvShapeInit = { n: 1, h: 5, w: 5, cin: 12, cout: 8, kh: 3, kw: 3, groups: 4, ...pad1 };
const ONE: ConvShapeInit = { n: 1, h: 5, w: 7, cin: 40, cout: 24, kh: 1, kw: 1 };
const V4: ConvShapeInit = { n: 1, h: 9, w: 7, cin: 48, cout: 40, kh: 3, kw: 3, ...pad1 };
const sm = (init: ConvShapeInit, wgm: number, wgn: number, tn4: 1 | 2, bk: 4 | 8 | 16) => smemTile(convShape(init), wgm, wgn, tn4, bk);
const dw = (h: number, ch: number, k: number, stride: 1 | 2, pad: number): ConvShapeInit => ({
  n: 1, h, w: h + 1, cin: ch, cout: ch, kh: k, kw: k, groups: ch, strideH: stride, strideW: stride,
  padTop: pad, padLeft: pad, padBottom: pad + 1, padRight: pad,
});

/** Depthwise sums in f32 fma whatever the tile family or dot: its name carries neither. */
const w8 = (name: string, c: W8Case): Case => ({
  name: c.dw ? `conv2d_int_dw ${name}`
    : c.tile?.family === 'smem' ? `conv2d_int_smem [${c.dot ?? 'packed'}] ${name}`
      : `conv2d_w8a8 [${c.tile?.family === 'fma' ? 'fma' : c.dot ?? 'packed'}] ${name}`,
  tolerance: c.f32 ? FLOAT_TOL : EXACT,
  run: (gpu, r) => w8Outcome(gpu, r, c),
});

export const cases: Case[] = [
  ...(['packed', 'fallback'] as const).flatMap((dot) => [
    w8('3x3 cin 3 -> 5, pad 1', { shape: SMALL, dot }),
    w8('cin 17 -> 40 stride 2 odd size, asymmetric pad, tile 2x2', { shape: ODD17, dot, tile: reg(2, 2) }),
    w8('cin 5 dilation 2 batch 2, relu', { shape: DIL5, dot, act: { kind: 'relu' } }),
    w8('groups 4 (3 channels per group)', { shape: GROUPS4, dot }),
  ]),
  w8('1x1 cin 40 -> 24, tile 4x2', { shape: ONE, tile: reg(4, 2) }),
  w8('silu (qact)', { shape: SMALL, act: { kind: 'silu' } }),
  w8('hardswish (qact), cin 17', { shape: ODD17, dot: 'fallback', act: { kind: 'hardswish' } }),
  w8('residual add then relu', { shape: DIL5, residual: true, act: { kind: 'relu' } }),
  // SiLU, not sigmoid, after the add: the residual table's output scale is fitted to the conv's range, so a sigmoid there
  // would leave two codes and the case could not see errors.
  w8('residual add then silu (in the table), tile 2x2', { shape: ODD17, residual: true, act: { kind: 'silu' }, tile: reg(2, 2) }),
  w8('f32 dequantized output, grouped, silu', { shape: GROUPS4, f32: true, act: { kind: 'silu' } }),
  w8('cin 17 -> 40 stride 2 odd size, tile 4x4', { shape: ODD17, tile: fma(4, 4) }),
  w8('cin 17 -> 40, tile 2x3, hardswish (qact)', { shape: ODD17, tile: fma(2, 3), act: { kind: 'hardswish' } }),
  w8('cin 5 dilation 2, relu', { shape: DIL5, tile: fma(4, 2), act: { kind: 'relu' } }),
  w8('groups 4, residual', { shape: GROUPS4, tile: fma(4, 1), residual: true }),
  w8('1x1, f32 out, silu', { shape: ONE, tile: fma(4, 4), f32: true, act: { kind: 'silu' } }),
  // 300 channels: 75 words per tap, so the f32 sums flush to i32 every few taps.
  w8('cin 300 (chunked f32 sums), stride 2', { shape: { n: 1, h: 6, w: 5, cin: 300, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, ...pad1 }, tile: fma(2, 2) }),
  // Workgroup-memory implicit GEMM (groups == 1): scalar and vec4 input loads, partial tiles in both dimensions.
  w8('3x3 cin 3 -> 5, default tile', { shape: SMALL, tile: defaultSmemTile(convShape(SMALL)) }),
  w8('cin 17 -> 40 stride 2 odd size, 16x32 tile, bk 4, relu', { shape: ODD17, tile: sm(ODD17, 4, 4, 2, 4), act: { kind: 'relu' } }),
  w8('cin 48 vec4 loads, bk 16', { shape: V4, tile: sm(V4, 4, 4, 2, 16) }),
  w8('cin 48 vec4 loads, silu (qact)', { shape: V4, tile: sm(V4, 8, 4, 1, 8), dot: 'fallback', act: { kind: 'silu' } }),
  w8('cin 5 dilation 2 batch 2, residual then relu', { shape: DIL5, tile: sm(DIL5, 4, 2, 1, 4), residual: true, act: { kind: 'relu' } }),
  w8('1x1 f32 out, silu', { shape: ONE, tile: sm(ONE, 4, 4, 1, 8), f32: true, act: { kind: 'silu' } }),
  w8('3x3 c 17 stride 1', { shape: dw(8, 17, 3, 1, 1), dw: true }),
  w8('3x3 c 17 stride 2, sigmoid (qact)', { shape: dw(9, 17, 3, 2, 1), dw: true, act: { kind: 'sigmoid' } }),
  w8('5x5 c 12 stride 2, relu6', { shape: dw(11, 12, 5, 2, 2), dw: true, act: { kind: 'clip', min: 0, max: 6 } }),
  w8('c 5, hardswish in the residual table, tm 2', { shape: dw(7, 5, 3, 1, 1), dw: true, act: { kind: 'hardswish' }, residual: true, tile: reg(2, 1) }),
  w8('dilation 2, f32 out', { shape: { ...dw(9, 8, 3, 1, 2), dilationH: 2, dilationW: 2 }, dw: true, f32: true }),
];
