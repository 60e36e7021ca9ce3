import { describe, expect, it } from 'vitest';
import { Autotuner, convCandidates, convShapeKey, defaultVariant, timeKernel, tuneConv } from '../src/runtime/plan/autotune.ts';
import { conv2dF32Kernel, packConv2dF32Weights } from '../src/shaders/conv2d_f32.ts';
import { convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import { packBias } from '../src/shaders/pack-float.ts';
import { runKernel } from '../src/gpu/exec.ts';
import { conv2dRef } from './reference/conv.ts';
import { testGpu } from './helpers/gpu.ts';
import { relError, testRng } from './helpers/rng.ts';

describe('autotuner', () => {
  it('picks a candidate that computes the right answer, caches it, and round-trips the cache through JSON', async () => {
    const gpu = await testGpu();
    const rng = testRng();
    const s = convShape({ n: 1, h: 8, w: 8, cin: 12, cout: 12, kh: 3, kw: 3, groups: 12, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
    const act = { kind: 'relu' } as const;
    const tuner = new Autotuner();
    const candidates = convCandidates(s, gpu.caps);
    expect(candidates.map((c) => c.family)).toContain('dw');
    const build = (variant: (typeof candidates)[number]) => conv2dF32Kernel(s, { act, variant }, gpu.caps);
    const first = await tuneConv(tuner, gpu, 'conv2d_f32:relu', s, build, { reps: 1, warmup: 1 });
    expect(first.cached).toBe(false);
    expect(first.timings.length).toBe(candidates.length);
    expect(first.timings.every((t) => t.ms > 0)).toBe(true);
    expect(candidates).toContainEqual(first.best);

    // The chosen variant, with its own weight layout, matches the reference.
    const x = rng.floats(s.n * s.h * s.w * s.cin);
    const w = rng.floats(s.cout * s.kh * s.kw);
    const bias = rng.floats(s.cout);
    const { outH, outW } = convOutSize(s);
    const out = await runKernel(gpu.device, build(first.best),
      { input: x, weights: packConv2dF32Weights(w, s, first.best), bias: packBias(bias, s.cout) }, { output: outH * outW * s.cout * 4 });
    expect(relError(new Float32Array(out.output), conv2dRef(x, w, s, { bias, act }))).toBeLessThanOrEqual(1e-4);

    const again = await tuneConv(tuner, gpu, 'conv2d_f32:relu', s, build, { reps: 1 });
    expect(again).toEqual({ best: first.best, timings: [], cached: true });

    const restored = new Autotuner();
    restored.importJSON(tuner.exportJSON());
    expect(restored.lookup(gpu.caps, 'conv2d_f32:relu', convShapeKey(s))).toEqual(first.best);
    expect(restored.lookup({ ...gpu.caps, adapterKey: 'other gpu' }, 'conv2d_f32:relu', convShapeKey(s))).toBeUndefined();
    expect(() => restored.importJSON('{"a":1}')).toThrow(/array/);
  });

  it('times a kernel (positive, finite milliseconds)', async () => {
    const gpu = await testGpu();
    const s = convShape({ n: 1, h: 6, w: 6, cin: 4, cout: 8, kh: 3, kw: 3 });
    const spec = conv2dF32Kernel(s, { variant: defaultVariant(s, gpu.caps) }, gpu.caps);
    const { createStorage } = await import('../src/gpu/exec.ts');
    const buffers = Object.fromEntries(['input', 'weights', 'bias', 'output'].map((n) => [n, createStorage(gpu.device, 4096)]));
    const ms = await timeKernel(gpu, spec, buffers, { reps: 2 });
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
  });

  it('defaults: depthwise and 1x1 get their kernels; software devices get register tiles, others shared memory', async () => {
    const { caps } = await testGpu();
    const dw = convShape({ n: 1, h: 8, w: 8, cin: 8, cout: 8, kh: 3, kw: 3, groups: 8 });
    const pw = convShape({ n: 1, h: 8, w: 8, cin: 8, cout: 16, kh: 1, kw: 1 });
    const c3 = convShape({ n: 1, h: 8, w: 8, cin: 8, cout: 16, kh: 3, kw: 3 });
    expect(defaultVariant(dw, caps).family).toBe('dw');
    expect(defaultVariant(pw, caps).family).toBe('1x1');
    expect(defaultVariant(c3, { ...caps, software: true }).family).toBe('reg');
    expect(defaultVariant(c3, { ...caps, software: false }).family).toBe('shared');
  });
});
