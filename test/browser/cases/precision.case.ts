/**
 * Precision conversion kernels, all bit-exact: the WGSL 64-bit mul_shift_round emulation, quantize f32 -> packed
 * int8 (NHWC and NCHW input, exact ties to even), dequantize (NHWC and NCHW output), requantize (with a fused
 * ReLU clamp), per-channel / per-tensor int8 and int4 quantization. Set up as in test/precision.test.ts;
 * reference test/reference/quantize.ts.
 */
import { runKernel } from '../../../src/gpu/exec.ts';
import { dequantizeKernel } from '../../../src/shaders/dequantize.ts';
import { type KernelSpec, ceilDiv } from '../../../src/shaders/kernel.ts';
import { quantizeChannelKernel, quantizeChannelParams, quantizeKernel } from '../../../src/shaders/quantize.ts';
import { requantizeMathCode } from '../../../src/shaders/requantize-math.ts';
import { type RequantizeParams, requantizeKernel } from '../../../src/shaders/requantize.ts';
import { requantizeExactKernel } from '../../../src/shaders/requantize_exact.ts';
import {
  channelsFirstToLast, dequantizeRef, packRows, quantizeChannelRef, quantizeRef, requantizeRef,
} from '../../reference/quantize.ts';
import { mulShiftRoundRef } from '../../reference/requant.ts';
import { type Case, EXACT, type Outcome, type Rng, exactOutcome, worst } from '../suite.ts';

/** Floats that include exact half-way ties of x * (1/scale) when scale is a power of two. */
function floatsWithTies(r: Rng, n: number, scale: number): Float32Array {
  const x = r.floats(n, -160 * scale, 160 * scale);
  for (let i = 0; i < n; i += 3) x[i] = (r.int(-140, 140) + 0.5) * scale;
  return x;
}

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
      const n = 2048;
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
      const got = new Int32Array((await runKernel(device, spec, { args }, { output: n * 4 })).output);
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
      const out = await runKernel(device, quantizeKernel(p, { rows, c, inner: h * w }), { input: x }, { output: rows * Math.ceil(c / 4) * 4 });
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
      const out = await runKernel(device, dequantizeKernel(p, { rows, c, inner: hw }), { input: packed }, { output: rows * c * 4 });
      const got = new Float32Array(out.output);
      return exactOutcome(channelsFirst ? channelsFirstToLast(got, n, c, hw) : got, dequantizeRef(packed, rows, c, p), `[${n},${hw},${c}]`);
    },
  })),
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
          const got = new Uint32Array((await runKernel(device, requantizeKernel(params, n), { input }, { output: n * 4 })).output);
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
      const [rows, c] = [r.int(1, 40), r.pick([3, 8, 13, 32])];
      const cw = Math.ceil(c / 4);
      const offset = r.int(0, 3);
      const stride = offset + cw + r.int(0, 2);
      const pin = { scale: r.next() < 0.3 ? 2 ** -r.int(3, 7) : r.uniform(0.002, 0.1), zeroPoint: r.int(-40, 40) };
      const pout = { scale: pin.scale * r.pick([1, 0.5, 2, 1.37]), zeroPoint: r.int(-40, 40) };
      const input = packRows(r.int8s(rows * c), rows, c, pin.zeroPoint);
      const spec = requantizeExactKernel({ input: pin, output: pout }, { rows, cw, window: { stride, offset } });
      const got = new Uint32Array((await runKernel(device, spec, { input }, { output: rows * stride * 4 })).output);
      const want = new Uint32Array(rows * stride);
      quantizeRef(dequantizeRef(input, rows, c, pin), rows, c, pout).forEach((v, i) => { want[Math.floor(i / cw) * stride + offset + (i % cw)] = v; });
      return exactOutcome(got, want, `rows ${rows} c ${c} window ${offset}/${stride}`, true);
    },
  },
  ...([[8, true], [4, true], [4, false]] as const).map(([bits, perChannel]): Case => ({
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
      const out = await runKernel(device, spec, { input: x, qparams: quantizeChannelParams(scales, zps) }, { output: words * 4 });
      const want = quantizeChannelRef(x, c, inner, scales, zps, bits, qmin, qmax);
      return exactOutcome(new Uint32Array(out.output), want, `[${outer},${c},${inner}]`, true);
    },
  })),
];
