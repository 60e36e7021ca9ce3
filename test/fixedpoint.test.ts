import { describe, expect, it } from 'vitest';
import { mulShiftRound, multiplierValue, quantizeMultiplier, roundShift } from '../src/quant/fixedpoint.ts';
import commonCode from '../src/shaders/conv2d_int_common.wgsl?raw';
import dotCode from '../src/shaders/conv2d_int_dot_fallback.wgsl?raw';
import requantCode from '../src/shaders/requant.wgsl?raw';
import fixedPointCode from '../src/shaders/fixedpoint.wgsl?raw';
import { kernelKey, type KernelSpec } from '../src/shaders/kernel.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { testRng } from './helpers/rng.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { mulShiftRoundRef } from './reference/requant.ts';

/** Exact rational reference: x * m0 / 2^r rounded half to even, saturated (BigInt, from the definition). */
const exact = mulShiftRoundRef;

describe('quantizeMultiplier', () => {
  it('represents 0.5 exactly', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ m0: 2 ** 30, r: 31 });
  });
  it('rounds a multiplier just below 1 up to exactly 1 (m0 = 2^30, r = 30)', () => {
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ m0: 2 ** 30, r: 30 });
    const f = quantizeMultiplier(0.99999);
    expect(f.r).toBe(31);
    expect(Math.abs(multiplierValue(f) - 0.99999)).toBeLessThan(2 ** -31);
  });
  it('keeps 31 significant bits for tiny multipliers (1e-5) and saturates the shift below 2^-31', () => {
    const f = quantizeMultiplier(1e-5);
    expect(f.m0).toBeGreaterThanOrEqual(2 ** 30);
    expect(Math.abs(multiplierValue(f) / 1e-5 - 1)).toBeLessThan(2 ** -30);
    const t = quantizeMultiplier(3e-12);
    expect(t.r).toBe(62);
    expect(Math.abs(multiplierValue(t) / 3e-12 - 1)).toBeLessThan(1e-6);
  });
  it('random multipliers are within 2^-31 relative', () => {
    const rng = testRng();
    for (let i = 0; i < 200; i++) {
      const m = 2 ** rng.uniform(-30, 20);
      const f = quantizeMultiplier(m);
      expect(f.r).toBeGreaterThanOrEqual(1);
      expect(Math.abs(multiplierValue(f) / m - 1)).toBeLessThanOrEqual(2 ** -31);
    }
  });
  it('rejects negative and huge multipliers', () => {
    expect(() => quantizeMultiplier(-0.1)).toThrow(/>= 0/);
    expect(() => quantizeMultiplier(2 ** 31)).toThrow(/too large/);
  });
});

describe('mulShiftRound (CPU)', () => {
  const half = quantizeMultiplier(0.5);
  it('rounds ties half to even (ONNX QuantizeLinear), for positive and negative accumulators', () => {
    // x / 2: 2.5 -> 2, 1.5 -> 2, 0.5 -> 0, -0.5 -> 0, -1.5 -> -2, -2.5 -> -2, -3 -> -3
    expect([5, 3, 1, -1, -3, -5, -6].map((x) => mulShiftRound(x, half.m0, half.r))).toEqual([2, 2, 0, 0, -2, -2, -3]);
    expect(roundShift(-384, 8)).toBe(-2); // -1.5 -> -2
    expect(roundShift(384, 8)).toBe(2);
    expect(roundShift(640, 8)).toBe(2); // 2.5 -> 2
    expect(roundShift(641, 8)).toBe(3);
  });
  it('ties at large shifts and products beyond 2^52 take the BigInt path and still round to even', () => {
    const f = quantizeMultiplier(2 ** -40); // m0 = 2^30, r = 70 -> capped 62 with m0 = 2^8
    for (const x of [2 ** 31 - 1, -(2 ** 31), 3 * 2 ** 29, -(3 * 2 ** 29)]) expect(mulShiftRound(x, f.m0, f.r)).toBe(exact(x, f.m0, f.r));
    expect(mulShiftRound(3 * 2 ** 29, 2 ** 30, 60)).toBe(2); // 1.5 -> 2
    expect(mulShiftRound(5 * 2 ** 29, 2 ** 30, 60)).toBe(2); // 2.5 -> 2
  });
  it('M = 1e-5 on large and negative accumulators', () => {
    const f = quantizeMultiplier(1e-5);
    expect(mulShiftRound(2_000_000, f.m0, f.r)).toBe(20);
    expect(mulShiftRound(-2_000_000, f.m0, f.r)).toBe(-20);
    expect(mulShiftRound(-(2 ** 31), f.m0, f.r)).toBe(Math.round(-(2 ** 31) * 1e-5));
  });
  it('saturates to i32', () => {
    expect(mulShiftRound(2 ** 31 - 1, 2 ** 31 - 1, 1)).toBe(2 ** 31 - 1);
    expect(mulShiftRound(-(2 ** 31), 2 ** 31 - 1, 1)).toBe(-(2 ** 31));
  });
  it('fast path equals the BigInt definition on random inputs', () => {
    const rng = testRng();
    for (let i = 0; i < 2000; i++) {
      const x = rng.int(-(2 ** 31), 2 ** 31 - 1) >> rng.int(0, 31);
      const m0 = rng.int(0, 2 ** 31 - 1);
      const r = rng.int(1, 62);
      expect(mulShiftRound(x, m0, r), `${x} ${m0} ${r}`).toBe(exact(x, m0, r));
    }
  });
});

describe('mul_shift_round (WGSL) is bit-exact with the CPU', () => {
  const test = `
@group(0) @binding(0) var<storage, read> args: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> lut: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<i32>;
@group(0) @binding(3) var<uniform> u: IntConvU;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= arrayLength(&args)) { return; }
  let a = args[gid.x];
  output[gid.x] = mul_shift_round(bitcast<i32>(a.x), a.y, a.z);
}`;
  it('on random and edge (x, m0, r)', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const n = 4096;
    const args = new Uint32Array(n * 4);
    const edgesX = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 12345, -12345];
    const edgesR = [1, 2, 31, 32, 33, 47, 62];
    for (let i = 0; i < n; i++) {
      const x = i < 49 ? edgesX[i % 7] : rng.int(-(2 ** 31), 2 ** 31 - 1) >> rng.int(0, 31);
      const r = i < 49 ? edgesR[Math.floor(i / 7)] : rng.int(1, 62);
      args.set([x >>> 0, i % 3 === 0 ? 2 ** 31 - 1 : rng.int(0, 2 ** 31 - 1), r, 0], i * 4);
    }
    const spec: KernelSpec = {
      name: 'mul_shift_round_test', key: kernelKey('mul_shift_round_test', {}),
      code: [test, commonCode, dotCode, fixedPointCode, requantCode].join('\n'), entryPoint: 'main', constants: {},
      bindings: [
        { name: 'args', kind: 'read-only-storage' }, { name: 'lut', kind: 'read-only-storage' },
        { name: 'output', kind: 'storage' }, { name: 'u', kind: 'uniform' },
      ],
      dispatch: [n / 64, 1, 1], uniforms: new Uint32Array(32),
    };
    expectBindingsMatch(spec);
    const out = new Int32Array((await runKernel(device, spec, { args, lut: new Uint32Array(4) }, { output: n * 4 })).output);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const want = exact(args[i * 4] | 0, args[i * 4 + 1], args[i * 4 + 2]);
      if (out[i] !== want && bad++ < 5) console.error(`x=${args[i * 4] | 0} m0=${args[i * 4 + 1]} r=${args[i * 4 + 2]}: got ${out[i]} want ${want}`);
    }
    expect(bad).toBe(0);
  });
});
