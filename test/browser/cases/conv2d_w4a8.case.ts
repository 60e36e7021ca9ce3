/**
 * W4A8 convolution: int4 weights per output channel or per group along the reduction, int8 activations, exact
 * fixed-point per-group scaling. Set up by test/reference/conv_int_problem.ts (shared with test/conv2d_w4a8.test.ts); reference
 * test/reference/conv_int.ts (conv2dW4A8Ref). Bit-exact.
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { type W4Case, regTile, w4Problem } from '../../reference/conv_int_problem.ts';
import { type ConvShapeInit, convShape } from '../../../src/shaders/conv-shape.ts';
import { smemTile } from '../../../src/shaders/conv2d_int_smem.ts';
import { type Case, EXACT, type Outcome, type Rng, exactOutcome, runSpec } from '../suite.ts';

const reg = regTile;
const sm = (init: ConvShapeInit, wgm: number, wgn: number, tn4: 1 | 2, bk: 4 | 8 | 16) => smemTile(convShape(init), wgm, wgn, tn4, bk);
const C64: ConvShapeInit = { n: 1, h: 5, w: 6, cin: 64, cout: 20, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const ODD: ConvShapeInit = { n: 2, h: 7, w: 9, cin: 17, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 };

async function w4Outcome({ device }: GpuContext, r: Rng, c: W4Case): Promise<Outcome> {
  const p = w4Problem(r, c);
  const out = await runSpec(device, p.spec, p.inputs, { output: p.outputBytes });
  return exactOutcome(p.decode(out.output) as Int8Array, p.want, p.spec.key);
}

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const w4 = (name: string, c: W4Case): Case => ({
  name: `${c.tile?.family === 'smem' ? 'conv2d_w4a8_smem' : 'conv2d_w4a8'} [${c.dot ?? 'packed'}] ${name}`,
  tolerance: EXACT,
  run: (gpu, r) => w4Outcome(gpu, r, c),
});

export const cases: Case[] = [
  // Workgroup-memory implicit GEMM, int4 unpacked while staging.
  w4('smem per-channel, cin 17 stride 2 odd size, batch 2, residual then relu', { shape: ODD, tile: sm(ODD, 4, 2, 2, 8), residual: true, act: { kind: 'relu' } }),
  w4('smem per-group 16 inside a tap, vec4 loads, bk 4, residual then silu', { shape: C64, groupSize: 16, tile: sm(C64, 4, 4, 1, 4), residual: true, act: { kind: 'silu' } }),
  w4('per-channel, cin 17 stride 2 odd size, asymmetric pad', {
    shape: { n: 1, h: 9, w: 11, cin: 17, cout: 12, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 },
  }),
  w4('per-channel, fallback dot, cin 17', {
    shape: { n: 1, h: 7, w: 6, cin: 17, cout: 8, kh: 3, kw: 3, ...pad1 }, dot: 'fallback',
  }),
  w4('per-group 8, cin 5 (odd window), dilation 2', {
    shape: { n: 1, h: 8, w: 8, cin: 5, cout: 8, kh: 3, kw: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 }, groupSize: 8,
  }),
  w4('per-group 24 crossing taps, fallback dot', {
    shape: { n: 1, h: 6, w: 6, cin: 12, cout: 8, kh: 3, kw: 3, ...pad1 }, groupSize: 24, dot: 'fallback',
  }),
  w4('per-group 16, groups 2', { shape: { n: 1, h: 6, w: 5, cin: 6, cout: 6, kh: 3, kw: 3, groups: 2, ...pad1 }, groupSize: 16 }),
  w4('per-group 32, tile 2x2, residual then silu', {
    shape: { n: 1, h: 5, w: 6, cin: 32, cout: 20, kh: 3, kw: 3, ...pad1 }, groupSize: 32, tile: reg(2, 2), residual: true, act: { kind: 'silu' },
  }),
  w4('per-group 16, 1x1, relu6', { shape: { n: 1, h: 5, w: 5, cin: 40, cout: 16, kh: 1, kw: 1 }, groupSize: 16, act: { kind: 'clip', min: 0, max: 6 } }),
  w4('per-group 32, residual then relu, batch 2, tile 4x2', {
    shape: { n: 2, h: 5, w: 5, cin: 16, cout: 12, kh: 3, kw: 3, ...pad1 }, groupSize: 32, residual: true, act: { kind: 'relu' }, tile: reg(4, 2),
  }),
];
