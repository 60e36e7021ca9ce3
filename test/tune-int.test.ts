/**
 * Integer conv choice per device: untuned defaults by adapter, the analytic MAC per global byte of the tilings,
 * plan-time tuning of integer conv steps across families, and the tuning cache persisted in a file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convShape } from '../src/shaders/conv-shape.ts';
import { chooseIntVariant, chooseW4Variant, hardwareDot, intCandidates } from '../src/runtime/ops/conv-select.ts';
import { intMacPerByte } from '../src/shaders/conv2d_int_traffic.ts';
import { w4Layout } from '../src/shaders/conv2d_int_pack_w4.ts';
import type { DeviceCaps } from '../src/shaders/kernel.ts';
import { Autotuner, convShapeKey } from '../src/runtime/plan/autotune.ts';
import { fileTuneStore } from '../src/node/tune-store.ts';
import { pickIntConv } from '../src/runtime/ops/conv-int-pick.ts';
import { tuneSteps } from '../src/runtime/plan/tune-plan.ts';
import type { Plan } from '../src/runtime/plan/build.ts';
import type { PlanStep, RtValue } from '../src/runtime/plan/types.ts';
import { createStorage } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';

const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const int8 = { out: 'int8', residual: false } as const;
const caps = (over: Partial<DeviceCaps>): DeviceCaps => ({
  f16: false, packedDot: true, subgroups: false, timestamps: true, software: false, adapterKey: 'nvidia ampere rtx 3060',
  maxWorkgroupStorage: 16384, maxInvocations: 256, maxStorageBufferBindingSize: 2 ** 30, ...over,
});

describe('integer conv defaults by device', () => {
  const c3 = convShape({ n: 1, h: 28, w: 28, cin: 128, cout: 128, kh: 3, kw: 3, ...pad1 });
  const dw = convShape({ n: 1, h: 28, w: 28, cin: 32, cout: 32, kh: 3, kw: 3, groups: 32, ...pad1 });
  it('hardware adapters: smem tiles with dot4I8Packed, except where it is emulated (Apple)', () => {
    const nv = chooseIntVariant(c3, caps({}), int8);
    expect(nv.tile.family).toBe('smem');
    expect(nv.dot).toBe('packed');
    const apple = caps({ adapterKey: 'apple metal-3 Apple M2' });
    expect(hardwareDot(apple)).toBe(false);
    expect(chooseIntVariant(c3, apple, int8)).toMatchObject({ tile: { family: 'smem' }, dot: 'fallback' });
    expect(chooseIntVariant(c3, caps({ packedDot: false }), int8).dot).toBe('fallback');
    expect(chooseIntVariant(dw, caps({}), int8).tile.family).toBe('fma');
  });
  it('software adapters keep the measured fma tiles; W4 takes smem on hardware when its groups fit', () => {
    const sw = caps({ software: true, adapterKey: 'google swiftshader' });
    expect(chooseIntVariant(c3, sw, int8).tile.family).toBe('fma');
    // Gemm at batch 1 (one output pixel): one pixel per invocation, the cheap-to-compile reg tile.
    const gemv = convShape({ n: 1, h: 1, w: 1, cin: 512, cout: 1000, kh: 1, kw: 1 });
    expect(chooseIntVariant(gemv, sw, int8).tile).toMatchObject({ family: 'reg', tm: 1, tn4: 1 });
    expect(chooseW4Variant(c3, caps({}), int8, w4Layout(c3)).tile.family).toBe('smem');
    expect(chooseW4Variant(c3, caps({}), int8, w4Layout(c3, 24)).tile.family).toBe('reg');
  });
  it('the autotuner sees every family: reg and fma x dots, smem tiles', () => {
    const fams = new Set(intCandidates(c3, caps({}), int8).map((p) => `${p.tile.family}:${p.dot}`));
    expect([...fams].sort()).toEqual(['fma:packed', 'reg:fallback', 'reg:packed', 'smem:fallback', 'smem:packed']);
  });
});

describe('analytic MAC per global byte', () => {
  // ResNet-18's 3x3 layers at 224 (stride 1 and the stride-2 first conv of each stage).
  const r18 = [
    { h: 56, cin: 64, cout: 64, s: 1 }, { h: 56, cin: 64, cout: 128, s: 2 }, { h: 28, cin: 128, cout: 128, s: 1 },
    { h: 28, cin: 128, cout: 256, s: 2 }, { h: 14, cin: 256, cout: 256, s: 1 }, { h: 14, cin: 256, cout: 512, s: 2 },
    { h: 7, cin: 512, cout: 512, s: 1 },
  ].map((l) => convShape({ n: 1, h: l.h, w: l.h, cin: l.cin, cout: l.cout, kh: 3, kw: 3, strideH: l.s, strideW: l.s, ...pad1 }));
  it('the GPU-default int8 family reaches 32 MAC/B on every ResNet-18 3x3 layer; register tiles stay near 2-3', () => {
    for (const s of r18) {
      const tile = chooseIntVariant(s, caps({}), int8).tile;
      expect(intMacPerByte(tile, s), `${s.h}x${s.cin}->${s.cout}`).toBeGreaterThanOrEqual(32);
      expect(intMacPerByte({ family: 'reg', tm: 4, tn4: 1, wg: 64 }, s)).toBeLessThan(3);
    }
  });
  it('counts what a 64x64 tile loads: M * OC / (M + OC) per K byte on an exact fit', () => {
    const s = convShape({ n: 1, h: 8, w: 8, cin: 64, cout: 64, kh: 1, kw: 1 });
    expect(intMacPerByte({ family: 'smem', tm: 4, tn4: 1, wg: 256, wgn: 16, bk: 8, vec4: true }, s)).toBeCloseTo(32, 6);
  });
});

describe('plan-time tuning of integer conv steps', () => {
  it('times the alternatives with the step buffers, swaps in the fastest, caches it, and persists the cache', async () => {
    const gpu = await testGpu();
    const s = convShape({ n: 1, h: 6, w: 7, cin: 16, cout: 12, kh: 3, kw: 3, ...pad1 });
    const pick = pickIntConv(s, gpu.caps, int8, { zIn: 3, zOut: -2 });
    const all = pick.alternatives!.candidates();
    for (const c of all) expect(c.spec.bindings, c.label).toEqual(pick.spec.bindings);
    // Three families (one compile each on a software device): fma, reg, smem.
    const few = ['fma', 'reg', 'smem'].map((f) => all.find((c) => c.label.startsWith(f))!);
    const step: PlanStep = {
      spec: pick.spec, node: 'conv', op: 'Conv', precision: 'w8a8', weightBytes: 0, choice: pick.choice,
      values: { input: 'x', output: 'y' },
      constants: Object.fromEntries(['weights', 'chan', 'residual', 'lut'].map((b, id) => [b, { id, label: b, size: 4096, digest: '' }])),
      alternatives: { ...pick.alternatives!, candidates: () => few },
    };
    const values: Record<string, RtValue> = {
      x: { name: 'x', dims: [1, 16, 6, 7], layout: 'nhwc', storage: 'q8' } as RtValue,
      y: { name: 'y', dims: [1, 12, 6, 7], layout: 'nhwc', storage: 'q8' } as RtValue,
    };
    const consts = Object.values(step.constants).map((c) => createStorage(gpu.device, c.size, c.label));
    const plan = { steps: [step], values: new Map(Object.entries(values)) } as unknown as Plan;
    const dir = mkdtempSync(join(tmpdir(), 'quantgpu-tune-'));
    try {
      const tuner = new Autotuner(fileTuneStore(join(dir, 'tune.json')));
      const seen: number[] = [];
      await tuneSteps(gpu, plan, consts, tuner, (done) => seen.push(done));
      expect(seen).toEqual([1]);
      expect(step.choice?.tuned).toBe(true);
      expect(few.map((c) => c.spec)).toContain(step.spec);
      const label = tuner.lookup<string>(gpu.caps, pick.alternatives!.cacheFamily, convShapeKey(s));
      expect(few.find((c) => c.spec === step.spec)?.label).toBe(label);

      // A fresh tuner on the same file times nothing and makes the same choice.
      const again = new Autotuner(fileTuneStore(join(dir, 'tune.json')));
      step.spec = pick.spec;
      const timed: string[] = [];
      const spy = { ...step.alternatives!, candidates: () => few.map((c) => ({ ...c, spec: { ...c.spec, get dispatch() { timed.push(c.label); return c.spec.dispatch; } } })) };
      step.alternatives = spy;
      await tuneSteps(gpu, plan, consts, again, () => {});
      expect(again.size).toBe(1);
      expect(timed).toEqual([]);
      expect(step.choice?.family).toBe(label);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      consts.forEach((b) => b.destroy());
    }
  });
});
