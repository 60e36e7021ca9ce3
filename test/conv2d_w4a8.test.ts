import { describe, expect, it } from 'vitest';
import { type ConvShapeInit, convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { conv2dW4A8Kernel } from '../src/shaders/conv2d_w4a8.ts';
import type { DotImpl } from '../src/shaders/conv2d_w8a8.ts';
import type { IntQuantArgs, IntTile } from '../src/shaders/conv2d_int_common.ts';
import { packConvW4, packW4Params, quantizeConvW4, w4Layout } from '../src/shaders/conv2d_int_pack_w4.ts';
import {
  activationClamp, activationLut, isClampActivation, packInt8Activations, unpackInt8Activations,
} from '../src/shaders/pack-int.ts';
import { quantizeMultiplier } from '../src/quant/fixedpoint.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { conv2dW4A8Ref } from './reference/conv_int.ts';
import { testGpu } from './helpers/gpu.ts';
import { type Rng, testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';

interface Case {
  shape: ConvShapeInit;
  /** undefined: per output channel. */
  groupSize?: number;
  act?: Activation;
  residual?: boolean;
  tile?: IntTile;
  dot?: DotImpl;
}

const reg = (tm: 1 | 2 | 4, tn4: 1 | 2): IntTile => ({ family: 'reg', tm, tn4, wg: 16 });

async function runCase(c: Case, rng: Rng): Promise<void> {
  const { device } = await testGpu();
  const s = convShape(c.shape);
  const { outH, outW } = convOutSize(s);
  const cinG = s.cin / s.groups;
  const count = s.n * outH * outW * s.cout;
  const layout = w4Layout(s, c.groupSize);
  const x = rng.int8s(s.n * s.h * s.w * s.cin);
  const zIn = rng.int(-30, 30);
  const sIn = rng.uniform(0.01, 0.05);
  const wf = rng.floats(s.cout * cinG * s.kh * s.kw);
  const { q, scales } = quantizeConvW4(wf, s, layout);
  const bias = rng.floats(s.cout, -2, 2);
  const act = c.act ?? { kind: 'none' };
  // Output scale: the float conv's typical magnitude, sqrt(K) * E|w| * E|x| spread over ~40 steps.
  const sOut = (Math.sqrt(cinG * s.kh * s.kw) * 0.5 * 70 * sIn) / rng.uniform(20, 40);
  const { chan, qgroups } = packW4Params(q, s, layout, { sIn, zIn, sW: scales, sOut, bias });

  const zOut = rng.int(-20, 20);
  const quant: IntQuantArgs = { zIn, zOut };
  let lut: Uint32Array = new Uint32Array(4);
  if (isClampActivation(act)) Object.assign(quant, activationClamp(act, sOut, zOut));
  else lut = activationLut(act, sOut, zOut, rng.uniform(0.01, 0.05), rng.int(-10, 10));
  let residualX: Int8Array | undefined;
  if (c.residual) {
    residualX = rng.int8s(count);
    quant.residual = { z: rng.int(-10, 10), m: quantizeMultiplier(rng.uniform(0.5, 2)) };
  }
  const epilogue = { out: 'int8' as const, residual: !!c.residual, lut: !isClampActivation(act) };
  const spec = conv2dW4A8Kernel({ tile: c.tile ?? reg(4, 1), dot: c.dot ?? 'packed', epilogue }, s, layout, quant);
  expectBindingsMatch(spec);
  const out = await runKernel(device, spec, {
    input: packInt8Activations(x, s.n, s.h, s.w, s.cin), weights: packConvW4(q, s, layout), chan, qgroups, lut,
    residual: residualX ? packInt8Activations(residualX, s.n, outH, outW, s.cout) : new Uint32Array(4),
  }, { output: count / s.cout * Math.ceil(s.cout / 4) * 4 });

  const mult = Array.from({ length: s.cout }, (_, o) =>
    Array.from({ length: layout.ng }, (_, g) => ({ m0: qgroups[(o * layout.ng + g) * 2], r: qgroups[(o * layout.ng + g) * 2 + 1] })));
  const want = conv2dW4A8Ref({
    shape: s, x, w: q, zIn, groupOf: layout.groupOf, mult, biasFixed: Int32Array.from({ length: s.cout }, (_, o) => chan[o * 4]),
    output: { out: 'int8', zOut, qLo: quant.qLo ?? -128, qHi: quant.qHi ?? 127, residualX, residual: quant.residual, lut: isClampActivation(act) ? undefined : lut },
  });
  const got = unpackInt8Activations(new Uint32Array(out.output), s.n, outH, outW, s.cout);
  let bad = -1;
  let n = 0;
  for (let i = 0; i < count; i++) if (got[i] !== want[i]) { n++; if (bad < 0) bad = i; }
  expect(n, `${spec.key}: ${n} mismatches, first at ${bad}: got ${got[bad]} want ${want[bad]}`).toBe(0);
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
  it('7x7 stride-2 stem cin=3, silu LUT', async () =>
    runCase({ shape: { n: 1, h: 12, w: 12, cin: 3, cout: 8, kh: 7, kw: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 }, groupSize: 56, act: { kind: 'silu' } }, testRng()));
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
