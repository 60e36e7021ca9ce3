import { describe, expect, it } from 'vitest';
import { runKernel } from '../src/gpu/exec.ts';
import { dequantizeKernel } from '../src/shaders/dequantize.ts';
import { type KernelSpec, ceilDiv } from '../src/shaders/kernel.ts';
import { quantizeChannelKernel, quantizeChannelParams, quantizeKernel } from '../src/shaders/quantize.ts';
import { fixedMultiplier, requantizeMathCode } from '../src/shaders/requantize-math.ts';
import { requantizeKernel } from '../src/shaders/requantize.ts';
import { requantizeExactKernel } from '../src/shaders/requantize_exact.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, testRng } from './helpers/rng.ts';
import {
  channelsFirstToLast, dequantizeRef, packRows, quantizeChannelRef, quantizeRef, quantizeValue, requantizeRef,
} from './reference/quantize.ts';
import quantizeDivCode from '../src/shaders/quantize-div.wgsl?raw';
import { mulShiftRoundRef } from './reference/requant.ts';

/** Floats that include exact half-way ties of x * (1/scale) when scale is a power of two. */
function floatsWithTies(rng: Rng, n: number, scale: number): Float32Array {
  const x = rng.floats(n, -160 * scale, 160 * scale);
  for (let i = 0; i < n; i += 3) x[i] = (rng.int(-140, 140) + 0.5) * scale;
  // Values next to a tie (a few ulps either side), where x * (1 / scale) and x / scale round differently; and the
  // specials: zero, a subnormal, infinities (saturate).
  const s = Math.fround(scale);
  for (let i = 1; i < n; i += 5) {
    const t = Math.fround((rng.int(-140, 140) + 0.5) * s);
    const bits = new Int32Array(Float32Array.of(t).buffer);
    bits[0] += rng.int(-3, 3);
    x[i] = new Float32Array(bits.buffer)[0];
  }
  const specials = [0, -0, 1e-40, -1e-40, Infinity, -Infinity, 3e38, -3e38];
  for (let i = 0; i < specials.length && 5 * i + 2 < n; i++) x[5 * i + 2] = specials[i];
  return x;
}

const words = (b: ArrayBuffer): Uint32Array => new Uint32Array(b);

/** round_half_even(p * m / 2^s) saturated to i32, in BigInt: the definition mul_shift_round must implement. */
const mulShiftBig = mulShiftRoundRef;

describe('mul_shift_round (64-bit emulation in WGSL)', () => {
  it('matches the BigInt definition on extreme and random operands', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const n = 4096;
    const args = new Int32Array(n * 3);
    const edges = [0, 1, -1, 255, -255, 65280, -65280, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321];
    for (let i = 0; i < n; i++) {
      const p = i < edges.length ? edges[i] : rng.next() < 0.5 ? rng.int(-70000, 70000) : rng.int(-(2 ** 31), 2 ** 31 - 1);
      const m = rng.next() < 0.1 ? rng.int(0, 1000) : rng.int(2 ** 30, 2 ** 31 - 1);
      args.set([p, m, rng.int(1, 62)], i * 3);
    }
    const spec: KernelSpec = {
      name: 'mul_shift_probe', key: 'mul_shift_probe', entryPoint: 'main', constants: {},
      code: `@group(0) @binding(0) var<storage, read> args: array<i32>;
@group(0) @binding(1) var<storage, read_write> output: array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  output[g.x] = mul_shift_round(args[3u * g.x], bitcast<u32>(args[3u * g.x + 1u]), bitcast<u32>(args[3u * g.x + 2u]));
}\n${requantizeMathCode}`,
      bindings: [{ name: 'args', kind: 'read-only-storage' }, { name: 'output', kind: 'storage' }],
      dispatch: [n / 64, 1, 1],
    };
    const got = new Int32Array((await runKernel(device, spec, { args }, { output: n * 4 })).output);
    const want = Int32Array.from({ length: n }, (_, i) => mulShiftBig(args[3 * i], args[3 * i + 1], args[3 * i + 2]));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('fixedMultiplier represents ratios to 31 bits', () => {
    const rng = testRng();
    for (let i = 0; i < 200; i++) {
      const r = 2 ** rng.uniform(-30, 20);
      const { m0: m, r: s } = fixedMultiplier(r);
      expect(m).toBeGreaterThanOrEqual(2 ** 30);
      expect(m).toBeLessThan(2 ** 31);
      expect(Math.abs(m / 2 ** s - r) / r).toBeLessThanOrEqual(2 ** -30);
    }
    expect(() => fixedMultiplier(0)).toThrow(/positive/);
  });
});

describe('quantize_div (QuantizeLinear of one f32, in integers)', () => {
  it('matches fl32(x / s), half to even, on random bit patterns, near-ties and wide ranges', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const n = 8192;
    const x = new Float32Array(n);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = Math.fround(2 ** rng.uniform(-20, 4) * rng.uniform(1, 2));
      const kind = i % 4;
      // Uniform codes, exact ties, ties nudged by a few ulps, and huge / tiny magnitudes (saturation, zero).
      const t = kind === 0 ? rng.uniform(-300, 300) : (rng.int(-200, 200) + 0.5);
      x[i] = kind === 3 ? Math.fround(rng.uniform(-1, 1) * 2 ** rng.int(-140, 127)) : Math.fround(t * s[i]);
      if (kind === 2) {
        const b = new Int32Array(Float32Array.of(x[i]).buffer);
        b[0] += rng.int(-4, 4);
        x[i] = new Float32Array(b.buffer)[0];
      }
    }
    const spec: KernelSpec = {
      name: 'quantize_div_probe', key: 'quantize_div_probe', entryPoint: 'main', constants: {},
      code: `@group(0) @binding(0) var<storage, read> xs: array<u32>;
@group(0) @binding(1) var<storage, read> ss: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  output[g.x] = quantize_div(xs[g.x], ss[g.x], 3, -100000, 100000);
}\n${quantizeDivCode}`,
      bindings: [{ name: 'xs', kind: 'read-only-storage' }, { name: 'ss', kind: 'read-only-storage' }, { name: 'output', kind: 'storage' }],
      dispatch: [n / 64, 1, 1],
    };
    const got = new Int32Array((await runKernel(device, spec, { xs: new Uint32Array(x.buffer), ss: new Uint32Array(s.buffer) }, { output: n * 4 })).output);
    const want = Int32Array.from({ length: n }, (_, i) => quantizeValue(x[i], s[i], 3, -100000, 100000));
    const bad = [];
    for (let i = 0; i < n && bad.length < 5; i++) if (got[i] !== want[i]) bad.push(`x ${x[i]} s ${s[i]}: got ${got[i]} want ${want[i]}`);
    expect(bad).toEqual([]);
  });
});

describe('quantize f32 -> packed int8', () => {
  for (const channelsFirst of [false, true]) {
    it(`matches the reference bit-exactly (${channelsFirst ? 'NCHW' : 'NHWC'} input, ties to even)`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const [n, h, w, c] = [rng.int(1, 2), rng.int(1, 7), rng.int(1, 7), [3, 5, 17, 8][rng.int(0, 3)]];
      const rows = n * h * w;
      const scale = rng.next() < 0.5 ? 2 ** -rng.int(2, 6) : rng.uniform(0.01, 0.2);
      const p = { scale, zeroPoint: rng.int(-20, 20), channelsFirst };
      const x = floatsWithTies(rng, rows * c, scale);
      const spec = quantizeKernel(p, { rows, c, inner: h * w });
      expectBindingsMatch(spec);
      const cw = Math.ceil(c / 4);
      const got = words((await runKernel(device, spec, { input: x }, { output: rows * cw * 4 })).output);
      const nhwc = channelsFirst ? channelsFirstToLast(x, n, c, h * w) : x;
      expect(Array.from(got)).toEqual(Array.from(quantizeRef(nhwc, rows, c, p)));
    });
  }
});

describe('dequantize packed int8 -> f32', () => {
  for (const channelsFirst of [false, true]) {
    it(`matches the reference bit-exactly (${channelsFirst ? 'NCHW' : 'NHWC'} output)`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const [n, hw, c] = [rng.int(1, 2), rng.int(1, 30), [3, 5, 17][rng.int(0, 2)]];
      const rows = n * hw;
      const packed = packRows(rng.int8s(rows * c), rows, c, 0);
      const p = { scale: rng.uniform(0.001, 0.5), zeroPoint: rng.int(-30, 30), channelsFirst };
      const spec = dequantizeKernel(p, { rows, c, inner: hw });
      expectBindingsMatch(spec);
      const got = new Float32Array((await runKernel(device, spec, { input: packed }, { output: rows * c * 4 })).output);
      const want = dequantizeRef(packed, rows, c, p);
      const gotNhwc = channelsFirst ? channelsFirstToLast(got, n, c, hw) : got;
      expect(Array.from(gotNhwc)).toEqual(Array.from(want));
    });
  }
});

describe('channel windows (Split -> Quantize, Dequantize -> Concat without a copy)', () => {
  it('quantize reads channels [offset, offset + c) of wider rows; dequantize writes them and nothing else', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const rows = rng.int(1, 40);
    const c = [3, 5, 8, 16][rng.int(0, 3)];
    const offset = rng.int(0, 9);
    const stride = offset + c + rng.int(0, 7);
    const scale = rng.uniform(0.01, 0.2);
    const p = { scale, zeroPoint: rng.int(-20, 20) };
    const wide = floatsWithTies(rng, rows * stride, scale);
    const win = new Float32Array(rows * c).map((_, i) => wide[Math.floor(i / c) * stride + offset + (i % c)]);
    const window = { stride, offset };
    const q = quantizeKernel(p, { rows, c, window });
    expectBindingsMatch(q);
    const packed = words((await runKernel(device, q, { input: wide }, { output: rows * Math.ceil(c / 4) * 4 })).output);
    expect(Array.from(packed), `rows ${rows} c ${c} window ${offset}/${stride}`).toEqual(Array.from(quantizeRef(win, rows, c, p)));
    const d = dequantizeKernel(p, { rows, c, window });
    const got = new Float32Array((await runKernel(device, d, { input: packed }, { output: rows * stride * 4 })).output);
    const want = new Float32Array(rows * stride); // zeros outside the window: the output buffer starts zeroed
    const deq = dequantizeRef(packed, rows, c, p);
    deq.forEach((v, i) => { want[Math.floor(i / c) * stride + offset + (i % c)] = v; });
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(() => quantizeKernel(p, { rows, c, window: { stride: c, offset: 1 } })).toThrow(/outside rows/);
    expect(() => dequantizeKernel({ ...p, channelsFirst: true }, { rows, c, inner: 1, window })).toThrow(/channels-last/);
  });
});

describe('exact requantize (ONNX DequantizeLinear -> QuantizeLinear) into a word window', () => {
  it('matches dequantize then quantize bit for bit, writes its window only', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const rows = rng.int(1, 50);
    const c = [3, 4, 8, 13, 32][rng.int(0, 4)];
    const cw = Math.ceil(c / 4);
    const offset = rng.int(0, 3);
    const stride = offset + cw + rng.int(0, 3);
    const pin = { scale: rng.next() < 0.3 ? 2 ** -rng.int(3, 7) : rng.uniform(0.002, 0.1), zeroPoint: rng.int(-40, 40) };
    // Output scales near the input's (ties of x / s_out) and far from it (saturation).
    const pout = { scale: pin.scale * [1, 0.5, 2, rng.uniform(0.3, 3)][rng.int(0, 3)], zeroPoint: rng.int(-40, 40) };
    const packed = packRows(rng.int8s(rows * c), rows, c, pin.zeroPoint);
    const spec = requantizeExactKernel({ input: pin, output: pout }, { rows, cw, window: { stride, offset } });
    expectBindingsMatch(spec);
    const got = words((await runKernel(device, spec, { input: packed }, { output: rows * stride * 4 })).output);
    const part = quantizeRef(dequantizeRef(packed, rows, c, pin), rows, c, pout);
    const want = new Uint32Array(rows * stride);
    part.forEach((v, i) => { want[Math.floor(i / cw) * stride + offset + (i % cw)] = v; });
    expect(Array.from(got), `rows ${rows} c ${c} in ${pin.scale}/${pin.zeroPoint} out ${pout.scale}/${pout.zeroPoint}`).toEqual(Array.from(want));
    expect(() => requantizeExactKernel({ input: pin, output: pout }, { rows, cw, window: { stride: cw, offset: 1 } })).toThrow(/outside rows/);
  });
});

describe('requantize packed int8', () => {
  it('matches the fixed-point reference bit-exactly', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const n = rng.int(1, 700);
    const input = new Uint32Array(new Int8Array(rng.int8s(n * 4)).buffer);
    for (const ratio of [rng.uniform(0.05, 0.9), rng.uniform(1, 6), 0.5]) {
      const sIn = rng.uniform(0.01, 0.1);
      const p = { input: { scale: sIn, zeroPoint: rng.int(-10, 10) }, output: { scale: sIn / ratio, zeroPoint: rng.int(-10, 10) } };
      const relu = { ...p, qmin: p.output.zeroPoint, qmax: 127 };
      for (const params of [p, relu]) {
        const spec = requantizeKernel(params, n);
        expectBindingsMatch(spec);
        const got = words((await runKernel(device, spec, { input }, { output: n * 4 })).output);
        expect(Array.from(got)).toEqual(Array.from(requantizeRef(input, params)));
      }
    }
  });
});

describe('quantize per-channel / int4 (flat packing)', () => {
  for (const [bits, perChannel] of [[8, true], [4, true], [4, false], [8, false]] as const) {
    it(`int${bits} ${perChannel ? 'per-channel' : 'per-tensor'} matches the reference bit-exactly`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      const [outer, c, inner] = [rng.int(1, 5), [3, 5, 17][rng.int(0, 2)], rng.int(1, 9)];
      const nScales = perChannel ? c : 1;
      const scales = Array.from({ length: nScales }, () => (rng.next() < 0.7 ? 2 ** -rng.int(1, 4) : rng.uniform(0.02, 0.3)));
      const zps = Array.from({ length: nScales }, () => (bits === 4 ? rng.int(-2, 2) : rng.int(-10, 10)));
      const x = rng.floats(outer * c * inner, -2, 2);
      // exact ties of x / scale for the element's own channel scale
      for (let e = 0; e < x.length; e += 3) x[e] = (rng.int(-9, 9) + 0.5) * scales[perChannel ? Math.floor(e / inner) % c : 0];
      const qmin = bits === 4 ? -7 : -127;
      const qmax = bits === 4 ? 7 : 127;
      const spec = quantizeChannelKernel({ bits, qmin, qmax }, { outer, c, inner }, perChannel);
      expectBindingsMatch(spec);
      const outWords = ceilDiv(x.length, 32 / bits);
      const qparams = quantizeChannelParams(scales, zps);
      const got = words((await runKernel(device, spec, { input: x, qparams }, { output: outWords * 4 })).output);
      expect(Array.from(got)).toEqual(Array.from(quantizeChannelRef(x, c, inner, scales, zps, bits, qmin, qmax)));
    });
  }
});
