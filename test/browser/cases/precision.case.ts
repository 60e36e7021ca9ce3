/**
 * Precision conversion kernels, all bit-exact: the WGSL 64-bit mul_shift_round emulation, quantize f32 -> packed
 * int8 (NHWC and NCHW input, exact ties to even), the integer QuantizeLinear quantize_div, dequantize (NHWC and
 * NCHW output), channel windows, requantize (with a fused ReLU clamp) and exact requantize, per-channel /
 * per-tensor int8 and int4 quantization. Run by the Chromium suite and, as test/precision.test.ts, under Node.
 * Reference test/reference/quantize.ts.
 */
import quantizeDivCode from '../../../src/shaders/quantize-div.wgsl?raw';
import { dequantizeKernel } from '../../../src/shaders/dequantize.ts';
import { type KernelSpec, ceilDiv } from '../../../src/shaders/kernel.ts';
import { quantizeChannelKernel, quantizeChannelParams, quantizeKernel } from '../../../src/shaders/quantize.ts';
import { requantizeMathCode } from '../../../src/shaders/requantize-math.ts';
import { type RequantizeParams, requantizeKernel } from '../../../src/shaders/requantize.ts';
import { requantizeExactKernel } from '../../../src/shaders/requantize_exact.ts';
import {
  channelsFirstToLast, dequantizeRef, packRows, quantizeChannelRef, quantizeRef, quantizeValue, requantizeRef,
} from '../../reference/quantize.ts';
import { mulShiftRoundRef } from '../../reference/requant.ts';
import { type Case, EXACT, type Outcome, type Rng, exactOutcome, runSpec, worst } from '../suite.ts';

/** Floats with exact half-way ties of x / scale, values a few ulps off a tie, and zero, subnormals, infinities. */
function floatsWithTies(r: Rng, n: number, scale: number): Float32Array {
  const x = r.floats(n, -160 * scale, 160 * scale);
  for (let i = 0; i < n; i += 3) x[i] = (r.int(-140, 140) + 0.5) * scale;
  // Next to a tie, x * (1 / scale) and x / scale round differently.
  const s = Math.fround(scale);
  for (let i = 1; i < n; i += 5) {
    const bits = new Int32Array(Float32Array.of(Math.fround((r.int(-140, 140) + 0.5) * s)).buffer);
    bits[0] += r.int(-3, 3);
    x[i] = new Float32Array(bits.buffer)[0];
  }
  const specials = [0, -0, 1e-40, -1e-40, Infinity, -Infinity, 3e38, -3e38];
  for (let i = 0; i < specials.length && 5 * i + 2 < n; i++) x[5 * i + 2] = specials[i];
  return x;
}

const QUANTIZE_DIV_PROBE = `@group(0) @binding(0) var<storage, read> xs: array<u32>;
@group(0) @binding(1) var<storage, read> ss: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  output[g.x] = quantize_div(xs[g.x], ss[g.x], 3, -100000, 100000);
}`;

const MUL_SHIFT_PROBE = `@group(0) @binding(0) var<storage, read> args: array<i32>;
@group(0) @binding(1) var<storage, read_write> output: array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  output[g.x] = mul_shift_round(args[3u * g.x], bitcast<u32>(args[3u * g.x + 1u]), bitcast<u32>(args[3u * g.x + 2u]));
}`;

export const cases: Case[] = [
  {
    name: 'mul_shift_round 64-bit emulation vs BigInt, extreme and random operands',
    tolerance: EXACT,
    async run({ device }, r) {
      const n = 4096;
      const args = new Int32Array(n * 3);
      const edges = [0, 1, -1, 255, -255, 65280, -65280, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321];
      for (let i = 0; i < n; i++) {
        const p = i < edges.length ? edges[i] : r.next() < 0.5 ? r.int(-70000, 70000) : r.int(-(2 ** 31), 2 ** 31 - 1);
        const m = r.next() < 0.1 ? r.int(0, 1000) : r.int(2 ** 30, 2 ** 31 - 1);
        args.set([p, m, r.int(1, 62)], i * 3);
      }
      const spec: KernelSpec = {
        name: 'mul_shift_probe', key: 'mul_shift_probe', entryPoint: 'main', constants: {},
        code: `${MUL_SHIFT_PROBE}\n${requantizeMathCode}`,
        bindings: [{ name: 'args', kind: 'read-only-storage' }, { name: 'output', kind: 'storage' }],
        dispatch: [n / 64, 1, 1],
      };
      const got = new Int32Array((await runSpec(device, spec, { args }, { output: n * 4 })).output);
      const want = Int32Array.from({ length: n }, (_, i) => mulShiftRoundRef(args[3 * i], args[3 * i + 1], args[3 * i + 2]));
      return exactOutcome(got, want, 'mul_shift');
    },
  },
  ...[false, true].map((channelsFirst): Case => ({
    name: `quantize f32 -> packed int8, ${channelsFirst ? 'NCHW' : 'NHWC'} input, ties to even`,
    tolerance: EXACT,
    async run({ device }, r) {
      const [n, h, w, c] = [r.int(1, 2), r.int(1, 7), r.int(1, 7), r.pick([3, 5, 17, 8])];
      const rows = n * h * w;
      const scale = r.next() < 0.5 ? 2 ** -r.int(2, 6) : r.uniform(0.01, 0.2);
      const p = { scale, zeroPoint: r.int(-20, 20), channelsFirst };
      const x = floatsWithTies(r, rows * c, scale);
      const out = await runSpec(device, quantizeKernel(p, { rows, c, inner: h * w }), { input: x }, { output: rows * Math.ceil(c / 4) * 4 });
      const nhwc = channelsFirst ? channelsFirstToLast(x, n, c, h * w) : x;
      return exactOutcome(new Uint32Array(out.output), quantizeRef(nhwc, rows, c, p), `[${n},${h},${w},${c}] scale ${scale}`);
    },
  })),
  ...[false, true].map((channelsFirst): Case => ({
    name: `dequantize packed int8 -> f32, ${channelsFirst ? 'NCHW' : 'NHWC'} output`,
    tolerance: EXACT,
    async run({ device }, r) {
      const [n, hw, c] = [r.int(1, 2), r.int(1, 30), r.pick([3, 5, 17])];
      const rows = n * hw;
      const packed = packRows(r.int8s(rows * c), rows, c, 0);
      const p = { scale: r.uniform(0.001, 0.5), zeroPoint: r.int(-30, 30), channelsFirst };
      const out = await runSpec(device, dequantizeKernel(p, { rows, c, inner: hw }), { input: packed }, { output: rows * c * 4 });
      const got = new Float32Array(out.output);
      return exactOutcome(channelsFirst ? channelsFirstToLast(got, n, c, hw) : got, dequantizeRef(packed, rows, c, p), `[${n},${hw},${c}]`);
    },
  })),
  {
    name: 'quantize_div (QuantizeLinear of one f32 in integers) vs fl32(x / s) half to even: random, ties, near-ties, wide range',
    tolerance: EXACT,
    async run({ device }, r) {
      const n = 8192;
      const x = new Float32Array(n);
      const s = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        s[i] = Math.fround(2 ** r.uniform(-20, 4) * r.uniform(1, 2));
        const kind = i % 4;
        // Uniform codes, exact ties, ties nudged by a few ulps, and huge / tiny magnitudes (saturation, zero).
        const t = kind === 0 ? r.uniform(-300, 300) : (r.int(-200, 200) + 0.5);
        x[i] = kind === 3 ? Math.fround(r.uniform(-1, 1) * 2 ** r.int(-140, 127)) : Math.fround(t * s[i]);
        if (kind === 2) {
          const b = new Int32Array(Float32Array.of(x[i]).buffer);
          b[0] += r.int(-4, 4);
          x[i] = new Float32Array(b.buffer)[0];
        }
      }
      const spec: KernelSpec = {
        name: 'quantize_div_probe', key: 'quantize_div_probe', entryPoint: 'main', constants: {},
        code: `${QUANTIZE_DIV_PROBE}\n${quantizeDivCode}`,
        bindings: [{ name: 'xs', kind: 'read-only-storage' }, { name: 'ss', kind: 'read-only-storage' }, { name: 'output', kind: 'storage' }],
        dispatch: [n / 64, 1, 1],
      };
      const out = await runSpec(device, spec, { xs: new Uint32Array(x.buffer), ss: new Uint32Array(s.buffer) }, { output: n * 4 });
      const want = Int32Array.from({ length: n }, (_, i) => quantizeValue(x[i], s[i], 3, -100000, 100000));
      return exactOutcome(new Int32Array(out.output), want, 'quantize_div');
    },
  },
  {
    name: 'channel windows: quantize reads channels [offset, offset + c) of wider rows, dequantize writes only them',
    tolerance: EXACT,
    async run({ device }, r) {
      const rows = r.int(1, 40);
      const c = r.pick([3, 5, 8, 16]);
      const offset = r.int(0, 9);
      const stride = offset + c + r.int(0, 7);
      const scale = r.uniform(0.01, 0.2);
      const p = { scale, zeroPoint: r.int(-20, 20) };
      const wide = floatsWithTies(r, rows * stride, scale);
      const win = new Float32Array(rows * c).map((_, i) => wide[Math.floor(i / c) * stride + offset + (i % c)]);
      const window = { stride, offset };
      const what = `rows ${rows} c ${c} window ${offset}/${stride}`;
      const q = await runSpec(device, quantizeKernel(p, { rows, c, window }), { input: wide }, { output: rows * Math.ceil(c / 4) * 4 });
      const packed = new Uint32Array(q.output);
      const d = await runSpec(device, dequantizeKernel(p, { rows, c, window }), { input: packed }, { output: rows * stride * 4 });
      const want = new Float32Array(rows * stride); // zeros outside the window: the output buffer starts zeroed
      dequantizeRef(packed, rows, c, p).forEach((v, i) => { want[Math.floor(i / c) * stride + offset + (i % c)] = v; });
      return worst(exactOutcome(packed, quantizeRef(win, rows, c, p), `quantize ${what}`, true),
        exactOutcome(new Float32Array(d.output), want, `dequantize ${what}`, true));
    },
  },
  {
    name: 'requantize packed int8, ratios < 1, > 1 and 0.5, with and without ReLU clamp',
    tolerance: EXACT,
    async run({ device }, r) {
      const n = r.int(1, 700);
      const input = new Uint32Array(r.int8s(n * 4).buffer);
      const outs: Outcome[] = [];
      for (const ratio of [r.uniform(0.05, 0.9), r.uniform(1, 6), 0.5]) {
        const sIn = r.uniform(0.01, 0.1);
        const p: RequantizeParams = { input: { scale: sIn, zeroPoint: r.int(-10, 10) }, output: { scale: sIn / ratio, zeroPoint: r.int(-10, 10) } };
        for (const params of [p, { ...p, qmin: p.output.zeroPoint, qmax: 127 }]) {
          const got = new Uint32Array((await runSpec(device, requantizeKernel(params, n), { input }, { output: n * 4 })).output);
          outs.push(exactOutcome(got, requantizeRef(input, params), `ratio ${ratio} qmin ${params.qmin ?? -128}`, true));
        }
      }
      return worst(...outs);
    },
  },
  {
    name: 'exact requantize (ONNX DQ -> Q) into a word window (channel Concat feeding a QuantizeLinear)',
    tolerance: EXACT,
    async run({ device }, r) {
      const [rows, c] = [r.int(1, 50), r.pick([3, 4, 8, 13, 32])];
      const cw = Math.ceil(c / 4);
      const offset = r.int(0, 3);
      const stride = offset + cw + r.int(0, 3);
      const pin = { scale: r.next() < 0.3 ? 2 ** -r.int(3, 7) : r.uniform(0.002, 0.1), zeroPoint: r.int(-40, 40) };
      // Output scales near the input's (ties of x / s_out) and far from it (saturation).
      const pout = { scale: pin.scale * r.pick([1, 0.5, 2, r.uniform(0.3, 3)]), zeroPoint: r.int(-40, 40) };
      const input = packRows(r.int8s(rows * c), rows, c, pin.zeroPoint);
      const spec = requantizeExactKernel({ input: pin, output: pout }, { rows, cw, window: { stride, offset } });
      const got = new Uint32Array((await runSpec(device, spec, { input }, { output: rows * stride * 4 })).output);
      const want = new Uint32Array(rows * stride);
      quantizeRef(dequantizeRef(input, rows, c, pin), rows, c, pout).forEach((v, i) => { want[Math.floor(i / cw) * stride + offset + (i % cw)] = v; });
      return exactOutcome(got, want, `rows ${rows} c ${c} window ${offset}/${stride}`, true);
    },
  },
  ...([[8, true], [4, true], [4, false], [8, false]] as const).map(([bits, perChannel]): Case => ({
    name: `quantize int${bits} ${perChannel ? 'per-channel' : 'per-tensor'} (flat packing)`,
    tolerance: EXACT,
    async run({ device }, r) {
      const [outer, c, inner] = [r.int(1, 5), r.pick([3, 5, 17]), r.int(1, 9)];
      const nScales = perChannel ? c : 1;
      const scales = Array.from({ length: nScales }, () => (r.next() < 0.7 ? 2 ** -r.int(1, 4) : r.uniform(0.02, 0.3)));
      const zps = Array.from({ length: nScales }, () => (bits === 4 ? r.int(-2, 2) : r.int(-10, 10)));
      const x = r.floats(outer * c * inner, -2, 2);
      // exact ties of x / scale for the element's own channel scale
      for (let e = 0; e < x.length; e += 3) x[e] = (r.int(-9, 9) + 0.5) * scales[perChannel ? Math.floor(e / inner) % c : 0];
      const qmin = bits === 4 ? -7 : -127;
      const qmax = bits === 4 ? 7 : 127;
      const spec = quantizeChannelKernel({ bits, qmin, qmax }, { outer, c, inner }, perChannel);
      const words = ceilDiv(x.length, 32 / bits);
      const out = await runSpec(device, spec, { input: x, qparams: quantizeChannelParams(scales, zps) }, { output: words * 4 });
      const want = quantizeChannelRef(x, c, inner, scales, zps, bits, qmin, qmax);
      return exactOutcome(new Uint32Array(out.output), want, `[${outer},${c},${inner}]`, true);
    },
  })),
];
